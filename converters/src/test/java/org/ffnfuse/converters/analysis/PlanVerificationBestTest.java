package org.ffnfuse.converters.analysis;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.converters.eval.FailedCheckException;
import org.junit.jupiter.api.Test;

/** {@code plan --verify} never chooses a candidate whose perplexity is not a number, and fails when all are. */
class PlanVerificationBestTest {
  private static final Path MODEL = Path.of("m.onnx");

  private static PlanVerification.Measured measured(String rule, double ppl) {
    return new PlanVerification.Measured(new FusionPlanner.Plan(List.of(), rule), ppl);
  }

  @Test
  void best_nanAndInfinityBesideFiniteValues_lowestFiniteChosen() {
    var nan = measured("a", Double.NaN);
    var low = measured("b", 23.5);
    var inf = measured("c", Double.NEGATIVE_INFINITY);
    var high = measured("d", 24.0);
    assertSame(low, PlanVerification.best(MODEL, List.of(nan, low, inf, high)));
  }

  @Test
  void best_everyCandidateNaN_failedCheckNamingTheModel() {
    var e = assertThrows(FailedCheckException.class, () -> PlanVerification.best(MODEL,
        List.of(measured("a", Double.NaN), measured("b", Double.POSITIVE_INFINITY))));
    assertTrue(e.getMessage().startsWith("m.onnx: every candidate plan"), e.getMessage());
    assertTrue(e.getMessage().contains("2 tried"), e.getMessage());
  }
}

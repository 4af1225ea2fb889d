package org.ffnfuse.converters.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.ffnfuse.converters.recipe.VerifyOptions;
import org.junit.jupiter.api.Test;

class VerifyGatesTest {
  private static final ModelCheck OK = new ModelCheck("a", 20.0, true, List.of(), List.of());

  private static VerifyReport report(double fusedPerplexity, double kl, List<NonFiniteLogit> nonFinite) {
    ModelCheck fused = new ModelCheck("b", fusedPerplexity, true, List.of(), List.of());
    return new VerifyReport(OK, fused, kl, 0.9, 1, 0.1, 100, 2, true, nonFinite);
  }

  @Test
  void failures_finiteWithinLimits_none() {
    VerifyGates g = new VerifyGates(OptionalDouble.of(0.05), OptionalDouble.of(0.1), OptionalDouble.of(0.8), false,
        VerifyGates.Spelling.CLI);
    assertEquals(List.of(), g.failures(report(20.5, 0.05, List.of())));
  }

  @Test
  void failures_nanKlAndPerplexity_failEveryThresholdGate() {
    VerifyGates g = new VerifyGates(OptionalDouble.of(0.05), OptionalDouble.of(0.1), OptionalDouble.empty(), false,
        VerifyGates.Spelling.CLI);
    List<String> f = g.failures(report(Double.NaN, Double.NaN, List.of()));
    assertTrue(f.contains("KL NaN > --max-kl 0.10000"), f.toString());
    assertTrue(f.contains("perplexity increase NaN > --max-ppl-increase 0.05000"), f.toString());
    assertTrue(f.contains("KL(original‖fused) is NaN, not a finite number"), f.toString());
  }

  @Test
  void recipeFailures_nonFiniteLogitWithoutThresholds_failsNamingWhere() {
    NonFiniteLogit n = new NonFiniteLogit(ModelRole.FUSED, 3, 17, 0, Float.POSITIVE_INFINITY);
    List<String> f = VerifyOptions.of(Path.of("eval.txt")).failures(report(Double.NaN, Double.NaN, List.of(n)));
    assertTrue(f.get(0).startsWith("fused model: logit Infinity at window 3, position 17 (vocabulary entry 0)"),
        f.toString());
  }

  @Test
  void find_firstNonFiniteInPositionMajorOrder() {
    float[][] logits = {{0, 1, 2}, {3, Float.NEGATIVE_INFINITY, Float.NaN}, {Float.NaN, 0, 0}};
    assertEquals(new NonFiniteLogit(ModelRole.ORIGINAL, 4, 1, 1, Float.NEGATIVE_INFINITY),
        NonFiniteLogit.find(ModelRole.ORIGINAL, 4, logits).orElseThrow());
  }
}

package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Fuzz target for plan.json: every input must give a {@link FusionPlan} or a {@link ModelFormatException} naming the
 * file; anything else is a finding. To fuzz: {@code JAZZER_FUZZ=1 mvn -pl converters test -Dtest='PlanFileFuzzTest'}.
 */
class PlanFileFuzzTest {
  /** Named in messages; nothing is written. */
  private static final Path FILE = Path.of("fuzz", "plan.json");

  @FuzzTest(maxDuration = "10s")
  void planJson(byte[] data) {
    try {
      // From memory: writing a file per input would cost more than the parse.
      FusionPlan plan = PlanFile.parse(FILE, data);
      assertFalse(plan.chains().isEmpty());
    } catch (ModelFormatException e) {
      assertEquals(FILE, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

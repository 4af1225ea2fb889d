package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target for plan.json: every input must give a {@link FusionPlan} or a {@link ModelFormatException} naming the
 * file; anything else is a finding. To fuzz: {@code JAZZER_FUZZ=1 mvn -pl converters test -Dtest='PlanFileFuzzTest'}.
 */
class PlanFileFuzzTest {
  @TempDir Path dir;

  @FuzzTest(maxDuration = "10s")
  void planJson(byte[] data) throws IOException {
    Path f = dir.resolve("plan.json");
    Files.write(f, data);
    try {
      FusionPlan plan = PlanFile.read(f);
      assertFalse(plan.chains().isEmpty());
    } catch (ModelFormatException e) {
      assertEquals(f, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

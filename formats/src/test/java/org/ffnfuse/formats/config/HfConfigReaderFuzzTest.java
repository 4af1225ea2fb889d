package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target for config.json: every input must parse into a {@link ModelConfig} or be refused with a
 * {@link ModelFormatException} naming the file; any other exception is a finding. Seeds: the bundled fixtures' configs.
 * To fuzz: {@code JAZZER_FUZZ=1 mvn -pl formats test -Dtest='HfConfigReaderFuzzTest'}.
 */
class HfConfigReaderFuzzTest {
  @TempDir Path dir;

  @FuzzTest(maxDuration = "10s")
  void configJson(byte[] data) throws IOException {
    Path f = dir.resolve("config.json");
    Files.write(f, data);
    try {
      ModelConfig c = HfConfigReader.read(f);
      assertEquals(c.numLayers(), c.blocks().size());
      assertTrue(c.hiddenSize() > 0);
    } catch (ModelFormatException e) {
      assertEquals(f, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

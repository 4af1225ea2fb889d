package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Fuzz target for config.json: every input must parse into a {@link ModelConfig} or be refused with a
 * {@link ModelFormatException} naming the file; any other exception is a finding. Seeds: the bundled fixtures' configs.
 * To fuzz: {@code JAZZER_FUZZ=1 mvn -pl formats test -Dtest='HfConfigReaderFuzzTest'}.
 */
class HfConfigReaderFuzzTest {
  /** Named in messages; nothing is written. */
  private static final Path FILE = Path.of("fuzz", "config.json");

  @FuzzTest(maxDuration = "10s")
  void configJson(byte[] data) {
    try {
      // From memory: writing a file per input would cost more than the parse.
      ModelConfig c = HfConfigReader.parse(FILE, data);
      assertEquals(c.numLayers(), c.blocks().size());
      assertTrue(c.hiddenSize() > 0);
    } catch (ModelFormatException e) {
      assertEquals(FILE, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

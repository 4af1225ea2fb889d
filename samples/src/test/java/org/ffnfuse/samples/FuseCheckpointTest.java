package org.ffnfuse.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FuseCheckpointTest {
  @Test
  void main_bundledNas_writesElevenBlocks(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("fused");
    String printed = SampleOutput.run(FuseCheckpoint::main, Fixtures.bundled("nas-austen-16l").toString(),
        out.toString());
    assertEquals(11, HfConfigReader.read(out).numLayers());
    assertTrue(printed.startsWith("fused chains 8-13: 16 blocks → 11"), printed);
  }
}

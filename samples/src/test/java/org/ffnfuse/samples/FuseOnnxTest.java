package org.ffnfuse.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FuseOnnxTest {
  @Test
  void main_bundledNas_writesOneFusedNode(@TempDir Path tmp) throws Exception {
    String printed = SampleOutput.run(FuseOnnx::main, Fixtures.bundled("nas-austen-16l").toString(), tmp.toString());
    assertTrue(Files.isRegularFile(tmp.resolve("fused.onnx")));
    assertTrue(printed.trim().endsWith("1 FusedFFN"), printed);
  }
}

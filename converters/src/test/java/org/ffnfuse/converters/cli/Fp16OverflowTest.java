package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.safetensors.SafetensorsWriter;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --dtype fp16} on a checkpoint with a weight of 2¹⁷, which fp16 would turn into +Infinity. */
class Fp16OverflowTest {
  private static final String BIG = "model.layers.9.mlp.down_proj.weight";

  @TempDir static Path dir;
  static Path checkpoint;

  /** nas-austen-16l (bf16) with element 3 of {@link #BIG} set to 131072 (exact in bf16), in one file. */
  @BeforeAll
  static void checkpoint() throws Exception {
    Path src = Fixtures.bundled("nas-austen-16l");
    checkpoint = Files.createDirectories(dir.resolve("big"));
    Files.copy(src.resolve("config.json"), checkpoint.resolve("config.json"));
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(src)) {
      SafetensorsWriter w = SafetensorsWriter.builder(checkpoint.resolve("model.safetensors")).build();
      for (String n : ck.names()) {
        Tensor t = ck.tensor(n);
        if (n.equals(BIG)) {
          float[] v = t.toFloats();
          v[3] = 131072f;
          t = HeapTensor.ofFloats(t.dtype(), t.shape(), v);
        }
        w.add(n, t);
      }
      w.write();
    }
  }

  @Test
  void export_fp16WeightBeyondRange_exitsThreeNamingTensorAndValueWritingNothing() {
    Path out = dir.resolve("e1").resolve("m.onnx");
    CliRun r = CliRun.of("export", checkpoint.toString(), "-o", out.toString(), "--dtype", "fp16");
    assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().contains("initializer '") && r.err().contains("value 131072.0 is beyond fp16's range"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void export_fp16WithClamp_writesTheLargestFiniteHalf() throws Exception {
    Path out = Files.createDirectories(dir.resolve("e2")).resolve("m.onnx");
    CliRun r = CliRun.of("export", checkpoint.toString(), "-o", out.toString(), "--dtype", "fp16", "--fp16-overflow",
        "clamp");
    assertEquals(0, r.exit(), r.err());
    float max = 0;
    try (OnnxModel m = OnnxModel.open(out)) {
      for (String n : m.initializerNames()) {
        if (m.initializer(n).dtype().convertsToFloat()) {
          for (float v : m.initializer(n).toFloats()) {
            assertTrue(Float.isFinite(v), n);
            max = Math.max(max, v);
          }
        }
      }
    }
    assertEquals(65504f, max);
  }

  @Test
  void fuse_fp16CheckpointWeightBeyondRange_exitsThreeNamingTensor() {
    Path out = dir.resolve("f1");
    CliRun r = CliRun.of("fuse", checkpoint.toString(), "--chains", "8-13", "-o", out.toString(), "--dtype", "fp16");
    assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().contains("value 131072.0 is beyond fp16's range"), r.err());
    // Chain 8-13 becomes block 8: the fused down projection holds block 9's columns.
    assertTrue(r.err().startsWith("ffnfuse: " + out.resolve("model.safetensors") + ": tensor"
        + " 'model.layers.8.mlp.down_proj.weight'"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void fuse_fp32_unaffected() {
    Path out = dir.resolve("f2");
    CliRun r = CliRun.of("fuse", checkpoint.toString(), "--chains", "8-13", "-o", out.toString(), "--dtype", "fp32");
    assertEquals(0, r.exit(), r.err());
  }

}

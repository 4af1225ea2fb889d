package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.safetensors.SafetensorsWriter;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HealCommandTest {
  private static final Path NAS = Fixtures.bundled("nas-austen-16l");
  private static final Path BROWN = NAS.resolve("../../text/brown-excerpt.txt").normalize();

  @Test
  void heal_fusedCheckpointEightToFourteen_writesSameShapesChangingOnlyTheFusedDownProjection(@TempDir Path dir)
      throws Exception {
    Path fused = dir.resolve("fused");
    Fusion.fuse(NAS, FusionPlan.parse("8-14"), fused, "same", false);
    Path healed = dir.resolve("healed");

    int code = FfnFuseCli.commandLine().execute("heal", NAS.toString(), fused.toString(), "--chains", "8-14",
        "--text", BROWN.toString(), "--tokens", "600", "--lambda", "0.1", "-o", healed.toString());

    assertEquals(0, code);
    assertTrue(Files.isRegularFile(healed.resolve("config.json")));
    assertEquals(Files.readString(fused.resolve("tokenizer.json")), Files.readString(healed.resolve("tokenizer.json")));
    try (SafetensorsCheckpoint a = SafetensorsCheckpoint.open(fused);
        SafetensorsCheckpoint b = SafetensorsCheckpoint.open(healed)) {
      assertEquals(a.names(), b.names());
      for (String name : a.names()) {
        Tensor ta = a.tensor(name);
        Tensor tb = b.tensor(name);
        assertEquals(ta.shape(), tb.shape(), name);
        assertEquals(ta.dtype(), tb.dtype(), name);
        if (name.equals("model.layers.8.mlp.down_proj.weight")) {
          assertNotEquals(bytes(ta), bytes(tb), name);
        } else {
          assertEquals(bytes(ta), bytes(tb), name);
        }
      }
    }
  }

  @Test
  void heal_distillWithoutBackend_failsSayingHowToEnableIt(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("heal", NAS.toString(), dir.resolve("fused").toString(), "--chains", "8-14", "--text",
        BROWN.toString(), "--method", "distill", "-o", dir.resolve("healed").toString());
    assertEquals(CommandLine.ExitCode.USAGE, code);
    assertTrue(err.toString().contains("mvn -Pheal"), err.toString());
    assertFalse(Files.exists(dir.resolve("healed")));
  }

  @Test
  void heal_originalComputesNaN_exitsOneNamingTheChainAndWritesNothing(@TempDir Path dir) throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.copy(NAS.resolve("config.json"), broken.resolve("config.json"));
    Files.copy(NAS.resolve("tokenizer.json"), broken.resolve("tokenizer.json"));
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(NAS)) {
      SafetensorsWriter w = SafetensorsWriter.builder(broken.resolve("model.safetensors")).build();
      for (String n : ck.names()) {
        Tensor t = ck.tensor(n);
        if (n.equals("model.layers.0.mlp.down_proj.weight")) {
          float[] v = t.toFloats();
          v[0] = Float.NaN;
          t = HeapTensor.ofFloats(t.dtype(), t.shape(), v);
        }
        w.add(n, t);
      }
      w.write();
    }
    Path fused = dir.resolve("fused");
    Fusion.fuse(broken, FusionPlan.parse("8-14"), fused, "same", false);
    StringWriter err = new StringWriter();
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setErr(new PrintWriter(err));

    int code = cl.execute("heal", broken.toString(), fused.toString(), "--chains", "8-14", "--text", BROWN.toString(),
        "--tokens", "600", "-o", dir.resolve("healed").toString());

    assertEquals(ErrorHandler.CHECK_FAILED, code, err.toString());
    assertTrue(err.toString().contains("the activations around chain 8-14 hold NaN or infinite values"),
        err.toString());
    assertFalse(Files.exists(dir.resolve("healed")));
  }

  private static ByteBuffer bytes(Tensor t) throws Exception {
    ByteBuffer b = ByteBuffer.allocate((int) t.byteSize());
    t.read(0, b);
    return b.flip();
  }
}

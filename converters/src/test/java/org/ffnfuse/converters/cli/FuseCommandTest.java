package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ffnfuse fuse} on ONNX input (checkpoint input is covered by the fuse package's tests). */
class FuseCommandTest {
  private int run(String... args) {
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    return cl.execute(args);
  }

  /** random/llama (dynamo) with attention removed in blocks 1-3 by {@code ffnfuse drop-attention}. */
  private Path chainModel(Path dir) {
    Path out = dir.resolve("no-attn.onnx");
    assertEquals(0, run("drop-attention", Fixtures.bundled("random/llama").resolve("model.dynamo.onnx").toString(),
        "--blocks", "1-3", "-o", out.toString()));
    return out;
  }

  @Test
  void dropAttentionThenFuse_onnxInput_functionAndInlineGiveSameLogits(@TempDir Path tmp) throws Exception {
    Path in = chainModel(tmp);
    Path fn = tmp.resolve("fn.onnx");
    Path inline = tmp.resolve("inline.onnx");
    assertEquals(0, run("fuse", in.toString(), "--chains", "0-3", "-o", fn.toString()));
    assertEquals(0, run("fuse", in.toString(), "--chains", "0-3", "-o", inline.toString(), "--inline"));
    try (OnnxModel a = OnnxModel.open(fn); OnnxModel b = OnnxModel.open(inline)) {
      assertEquals(1, a.proto().getFunctionsCount());
      assertEquals(0, b.proto().getFunctionsCount());
    }
    long[][] ids = Fixtures.reference(Fixtures.bundled("random/llama")).inputIdsBatch();
    assertTrue(OrtRunner.maxAbsDiff(OrtRunner.run(fn, ids), OrtRunner.run(inline, ids)) <= 1e-5);
  }

  @Test
  void fuse_onnxInputChainWithAttention_usageErrorNothingWritten(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("x.onnx");
    int code = run("fuse", Fixtures.bundled("random/llama").resolve("model.dynamo.onnx").toString(), "--chains",
        "0-3", "-o", out.toString());
    assertEquals(CommandLine.ExitCode.USAGE, code);
    assertFalse(Files.exists(out));
  }

  @Test
  void fuse_inlineOnCheckpoint_usageError(@TempDir Path tmp) {
    assertEquals(CommandLine.ExitCode.USAGE, run("fuse", Fixtures.bundled("random/llama").toString(), "--chains",
        "0-1", "-o", tmp.resolve("x.onnx").toString(), "--inline"));
  }
}

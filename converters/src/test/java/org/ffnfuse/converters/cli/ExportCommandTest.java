package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {
  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new ExportCommand());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void call_fp16KvCache_writesRunnableModel(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("m.onnx");
    StringWriter o = new StringWriter();
    int code = run(o, new StringWriter(), Fixtures.bundled("random/phi3").toString(), "-o", out.toString(),
        "--dtype", "fp16", "--kv-cache");
    assertEquals(0, code);
    assertTrue(o.toString().startsWith("exported " + out), o.toString());
    assertTrue(Files.exists(tmp.resolve("m.onnx.data")));
    try (OrtCausalLm lm = OrtCausalLm.open(out, 1)) {
      assertTrue(lm.hasKvCache());
      assertEquals(512, lm.logits(new long[][] {{1, 2, 3}})[0][2].length);
    }
  }

  @Test
  void call_unsupportedModel_printsOneLineAndExitCode3(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("ckpt"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mamba\"}");
    StringWriter err = new StringWriter();
    int code = run(new StringWriter(), err, dir.toString(), "-o", tmp.resolve("x.onnx").toString());
    assertEquals(ErrorHandler.BAD_INPUT, code);
    assertTrue(err.toString().contains("model_type 'mamba' is not supported"), err.toString());
    assertFalse(Files.exists(tmp.resolve("x.onnx")));
  }

  @Test
  void call_badDtype_isUsageError(@TempDir Path tmp) {
    int code = run(new StringWriter(), new StringWriter(), "x", "-o", tmp.resolve("x.onnx").toString(),
        "--dtype", "bf16");
    assertEquals(CommandLine.ExitCode.USAGE, code);
  }
}

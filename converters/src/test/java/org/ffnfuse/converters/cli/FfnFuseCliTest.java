package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class FfnFuseCliTest {
  @TempDir Path tmp;

  /** A command that fails the way a bug does. */
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("invariant broken\nsecond line");
    }
  }

  /** A command that runs out of heap, which picocli does not catch. */
  @Command(name = "oom")
  static final class Oom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  private static CommandLine withBoom() {
    CommandLine cl = FfnFuseCli.commandLine();
    cl.addSubcommand(new Boom());
    cl.addSubcommand(new Oom());
    return cl;
  }

  @Test
  void outOfMemory_oneLineAndExit4() {
    CliRun r = CliRun.on(FfnFuseCliTest::withBoom, "oom");
    assertEquals(ErrorHandler.IO_ERROR, r.exit());
    assertEquals("ffnfuse: out of memory: Java heap space (give Java more, e.g. FFNFUSE_JAVA_OPTS=-Xmx16g, or use"
        + " smaller inputs)", r.err().strip());
  }

  @Test
  void noCommand_usageOnStderrAndExit2() {
    CliRun r = CliRun.of();
    assertEquals(ErrorHandler.USAGE, r.exit());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("Usage: ffnfuse") && r.err().contains("a command is required"), r.err());
  }

  @Test
  void unexpectedException_oneLineAndExit70_withoutStackTrace() {
    CliRun r = CliRun.on(FfnFuseCliTest::withBoom, "boom");
    assertEquals(ErrorHandler.SOFTWARE, r.exit());
    assertEquals("ffnfuse: internal error: java.lang.IllegalStateException: invariant broken (a bug; rerun with"
        + " --debug for the stack trace and report it)", r.err().strip());
  }

  @Test
  void debug_inheritedBySubcommands_printsTheStackTrace() {
    CliRun after = CliRun.on(FfnFuseCliTest::withBoom, "boom", "--debug");
    assertEquals(ErrorHandler.SOFTWARE, after.exit());
    assertTrue(after.err().contains("\tat " + Boom.class.getName() + ".call"), after.err());
    CliRun before = CliRun.on(FfnFuseCliTest::withBoom, "--debug", "boom");
    assertTrue(before.err().contains("\tat " + Boom.class.getName() + ".call"), before.err());
  }

  @Test
  void logging_normalRun_noJulLinesOrClassNames_debugShowsThem() {
    Path onnx = Fixtures.bundled("random/llama").resolve("model.dynamo.onnx");
    Path dropped = tmp.resolve("dropped.onnx");
    CliRun drop = CliRun.of("drop-attention", onnx.toString(), "--blocks", "2-3", "-o", dropped.toString());
    assertEquals(0, drop.exit(), drop.err());
    CliRun fuse = CliRun.of("fuse", dropped.toString(), "--chains", "1-3", "-o", tmp.resolve("f.onnx").toString(),
        "--quiet");
    assertEquals(0, fuse.exit(), fuse.err());
    for (CliRun r : new CliRun[] {drop, fuse}) {
      assertFalse(r.err().contains("INFO:") || r.err().contains("org.ffnfuse."), r.err());
    }
    assertTrue(fuse.err().contains("FfnFusion: fused 1 chain"), fuse.err()); // the command's own report stays
    CliRun debug = CliRun.of("fuse", dropped.toString(), "--chains", "1-3", "-o", tmp.resolve("g.onnx").toString(),
        "--quiet", "--debug");
    assertEquals(0, debug.exit(), debug.err());
    assertTrue(debug.err().contains("ffnfuse: info [org.ffnfuse.graph.pass.PassManager]: FfnFusion"), debug.err());
  }

  @Test
  void quiet_acceptedByEveryCommandWithProgress() {
    String m = Fixtures.bundled("random/llama").toString();
    for (String[] args : new String[][] {{"export", m, "-o", "x.onnx"}, {"fuse", m, "--chains", "1-2", "-o", "x"},
        {"verify", m, m, "--text", m + "/config.json"}, {"heal", m, m, "--chains", "1-2", "--text",
            m + "/config.json", "-o", "x"}, {"analyze", m, "--text", m + "/config.json", "-o", "x"},
        {"drop-attention", m, "--blocks", "1", "-o", "x"}, {"bench", "x.onnx"}, {"run", m, "--recipe", "r", "-o",
            "x"}, {"batch", m, "--recipe", "r", "-o", "x"}}) {
      String[] quiet = java.util.Arrays.copyOf(args, args.length + 1);
      quiet[args.length] = "--quiet";
      assertDoesNotThrow(() -> FfnFuseCli.commandLine().parseArgs(quiet), String.join(" ", quiet));
    }
  }

  @Test
  void progress_stderrNotATerminal_oneLinePerStepWithoutCarriageReturns() {
    Path onnx = Fixtures.bundled("stories260k").resolve("model.onnx");
    CliRun r = CliRun.of("bench", onnx.toString(), "--batch", "1", "--seq", "4", "--warmup", "0", "--repeats", "2");
    assertEquals(0, r.exit(), r.err());
    assertFalse(r.err().contains("\r"), r.err());
    assertTrue(r.err().matches("bench: 2/2, [0-9.]+ s \\(model.onnx batch 1\\)\n"), r.err());
  }
}

package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ffnfuse.converters.batch.BatchRunner;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * No command writes over, into or beside-as-replacement any of its inputs, nor renames over a special file: each case
 * as the user meets it on the command line. Inputs are copies in a temporary folder (a regression would destroy them),
 * and every refusal must leave them byte for byte as they were.
 */
class OutputGuardCommandTest {
  private static final Path LLAMA = Fixtures.bundled("random/llama").toAbsolutePath();

  @TempDir Path tmp;
  Path ckpt;
  final StringWriter err = new StringWriter();

  @BeforeEach
  void checkpoint() throws IOException {
    ckpt = Files.createDirectories(tmp.resolve("ckpt"));
    for (String f : List.of("config.json", "generation_config.json", "model.safetensors")) {
      Files.copy(LLAMA.resolve(f), ckpt.resolve(f));
    }
  }

  private int run(String... args) {
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /** SHA-256 of every file under each root (a file is its own root), to show that nothing changed. */
  private static Map<Path, String> contents(Path... roots) throws Exception {
    Map<Path, String> out = new LinkedHashMap<>();
    for (Path root : roots) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
          out.put(p, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        }
      }
    }
    return out;
  }

  /** Runs {@code args}, expects the usage exit code and a message naming {@code output} and {@code input}. */
  private void assertRefused(String output, String input, String... args) {
    int code = run(args);
    String e = err.toString();
    assertEquals(CommandLine.ExitCode.USAGE, code, e);
    assertTrue(e.contains("output " + output) && e.contains(input), e);
  }

  /** 64 seeded token ids as {@code {"ids":[…]}} (the model's vocabulary is 512). */
  private Path ids() throws IOException {
    java.util.Random rnd = new java.util.Random(7);
    StringBuilder sb = new StringBuilder("{\"ids\":[");
    for (int i = 0; i < 64; i++) {
      sb.append(i > 0 ? "," : "").append(2 + rnd.nextInt(500));
    }
    return Files.writeString(tmp.resolve("ids.json"), sb.append("]}").toString());
  }

  /** {@code export} of the checkpoint to {@code dir/m.onnx} (with m.onnx.data beside it). */
  private Path onnx(Path dir) throws IOException {
    Path m = Files.createDirectories(dir).resolve("m.onnx");
    assertEquals(0, run("export", ckpt.toString(), "-o", m.toString()), err.toString());
    assertTrue(Files.isRegularFile(dir.resolve("m.onnx.data")));
    return m;
  }

  @Nested
  class IntoACheckpoint {
    @Test
    void export_outputIsTheInputsShard_refusedAndShardKept() throws Exception {
      Map<Path, String> before = contents(ckpt);
      Path shard = ckpt.resolve("model.safetensors");
      assertRefused(shard.toString(), shard.toString(), "export", ckpt.toString(), "-o", shard.toString());
      assertTrue(err.toString().contains("never writes over its inputs"), err.toString());
      assertEquals(before, contents(ckpt));
    }

    @Test
    void export_outputIsTheInputsConfigJson_refused() throws Exception {
      Map<Path, String> before = contents(ckpt);
      Path config = ckpt.resolve("config.json");
      assertRefused(config.toString(), config.toString(), "export", ckpt.toString(), "-o", config.toString());
      assertEquals(before, contents(ckpt));
    }

    @Test
    void dropAttention_outputFolderInsideTheInputCheckpoint_refusedNothingWritten() throws Exception {
      Map<Path, String> before = contents(ckpt);
      Path out = ckpt.resolve("dropped");
      assertRefused(out.toString(), "is inside the input folder " + ckpt, "drop-attention", ckpt.toString(),
          "--blocks", "1", "-o", out.toString());
      assertFalse(Files.exists(out));
      assertEquals(before, contents(ckpt));
    }

    @Test
    void dropAttention_outputFolderIsTheInputCheckpoint_refusedAsUsageError() throws Exception {
      Map<Path, String> before = contents(ckpt);
      assertRefused(ckpt.toString(), "would overwrite the input " + ckpt + " (the same folder)", "drop-attention",
          ckpt.toString(), "--blocks", "1", "-o", ckpt.toString());
      assertEquals(before, contents(ckpt));
    }
  }

  @Nested
  class OtherCommands {
    @Test
    void run_outputFolderInsideTheInputCheckpoint_refused() throws Exception {
      Path recipe = Files.writeString(tmp.resolve("recipe.yaml"), """
          drop_attention: {blocks: "3"}
          plan: {chains: "2-3"}
          output: {format: onnx}
          """);
      Map<Path, String> before = contents(ckpt);
      Path out = ckpt.resolve("run");
      assertRefused(out.toString(), "is inside the input folder " + ckpt, "run", ckpt.toString(), "--recipe",
          recipe.toString(), "-o", out.toString(), "--quiet");
      assertFalse(Files.exists(out));
      assertEquals(before, contents(ckpt));
    }

    @Test
    void benchIo_jsonOverTheInputFile_refused() throws Exception {
      Path shard = ckpt.resolve("model.safetensors");
      Map<Path, String> before = contents(ckpt);
      assertRefused(shard.toString(), "the input " + shard, "bench-io", "--input", shard.toString(), "--repeat", "1",
          "--json", shard.toString());
      assertEquals(before, contents(ckpt));
    }
  }

  @Nested
  class OverAnOnnxModel {
    @Test
    void dropAttention_outputIsTheInput_refusedAndModelKept() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Map<Path, String> before = contents(m.getParent());
      assertRefused(m.toString(), "would overwrite the input " + m, "drop-attention", m.toString(), "--blocks", "1",
          "-o", m.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void fuse_outputIsTheInput_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path chain = m.resolveSibling("chain.onnx");
      assertEquals(0, run("drop-attention", m.toString(), "--blocks", "1-3", "-o", chain.toString()), err.toString());
      Map<Path, String> before = contents(m.getParent());
      assertRefused(chain.toString(), "the input " + chain, "fuse", chain.toString(), "--chains", "0-3", "-o",
          chain.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void dropAttention_outputThroughASymlinkedFolder_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path link = Files.createSymbolicLink(tmp.resolve("link"), m.getParent());
      Map<Path, String> before = contents(m.getParent());
      Path out = link.resolve("m.onnx");
      assertRefused(out.toString(), "the input " + m + " (the same file)", "drop-attention", m.toString(),
          "--blocks", "1", "-o", out.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void dropAttention_outputIsAHardLinkToTheInput_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path hard = Files.createLink(tmp.resolve("hard.onnx"), m);
      Map<Path, String> before = contents(m.getParent());
      assertRefused(hard.toString(), "the input " + m + " (the same file)", "drop-attention", m.toString(),
          "--blocks", "1", "-o", hard.toString());
      assertEquals(before, contents(m.getParent()));
      assertEquals(before.get(m), contents(hard).get(hard));
    }

    @Test
    void bench_outputIsTheInputsExternalData_refusedAndDataKept() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path data = m.resolveSibling("m.onnx.data");
      Map<Path, String> before = contents(m.getParent());
      assertRefused(data.toString(), data + " (external data of " + m + ")", "bench", m.toString(), "--batch", "1",
          "--seq", "4", "--warmup", "0", "--repeats", "1", "--quiet", "-o", data.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void bench_outputIsTheConfigBesideTheInput_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path config = Files.copy(ckpt.resolve("config.json"), m.resolveSibling("config.json"));
      Map<Path, String> before = contents(m.getParent());
      assertRefused(config.toString(), config + " (read with " + m + ")", "bench", m.toString(), "--batch", "1",
          "--seq", "4", "--warmup", "0", "--repeats", "1", "--quiet", "-o", config.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void dropAttention_outputsDataFileWouldReplaceTheInputsData_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      // n.onnx is a copy of the graph that still reads m.onnx.data; writing m.onnx would write m.onnx.data too.
      Path n = Files.copy(m, m.resolveSibling("n.onnx"));
      Files.delete(m);
      Map<Path, String> before = contents(m.getParent());
      Path data = m.resolveSibling("m.onnx.data");
      assertRefused(data + " (the external data of " + m + ")", data + " (external data of " + n + ")",
          "drop-attention", n.toString(), "--blocks", "1", "-o", m.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void verify_reportOverTheFusedInput_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path f = m.resolveSibling("f.onnx");
      assertEquals(0, run("export", ckpt.toString(), "-o", f.toString()), err.toString());
      Map<Path, String> before = contents(m.getParent());
      assertRefused(f.toString(), "would overwrite the input " + f, "verify", m.toString(), f.toString(), "--text",
          ids().toString(), "--window", "16", "--windows", "1", "-o", f.toString());
      assertEquals(before, contents(m.getParent()));
    }

    @Test
    void plan_outputInsideTheReportFolder_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path chain = m.resolveSibling("chain.onnx");
      assertEquals(0, run("drop-attention", m.toString(), "--blocks", "1-3", "-o", chain.toString()), err.toString());
      Path report = tmp.resolve("report");
      assertEquals(0, run("analyze", chain.toString(), "--text", ids().toString(), "--tokens", "32", "--window",
          "16", "--quiet", "-o", report.toString()), err.toString());
      Map<Path, String> before = contents(report);
      Path out = report.resolve("report.json");
      assertRefused(out.toString(), out + " of the input " + report, "plan", report.toString(), "-o",
          out.toString());
      assertEquals(before, contents(report));
    }

    @Test
    void analyze_outputFolderHoldsTheInput_refused() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path text = ids();
      Map<Path, String> before = contents(m.getParent());
      assertRefused(m.getParent().toString(), "holds the input " + m, "analyze", m.toString(), "--text",
          text.toString(), "--window", "8", "--tokens", "16", "--quiet", "-o", m.getParent().toString());
      assertEquals(before, contents(m.getParent()));
    }
  }

  @Nested
  class SpecialFiles {
    @Test
    void bench_outputIsAFifo_refusedAndFifoKept() throws Exception {
      Path m = onnx(tmp.resolve("d"));
      Path fifo = tmp.resolve("fifo");
      assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
      int code = run("bench", m.toString(), "--batch", "1", "--seq", "4", "--warmup", "0", "--repeats", "1",
          "--quiet", "-o", fifo.toString());
      assertEquals(CommandLine.ExitCode.USAGE, code, err.toString());
      assertTrue(err.toString().contains(fifo + ": output is a FIFO (named pipe), not a regular file"),
          err.toString());
      assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still there");
      assertFalse(Files.exists(tmp.resolve("fifo.md")));
    }

    /** A character device like /dev/null (1, 3), made here so that a regression cannot replace /dev/null. */
    @Test
    void export_outputIsACharacterDevice_refusedAndDeviceKept() throws Exception {
      Path dev = tmp.resolve("null");
      Process p = new ProcessBuilder("mknod", dev.toString(), "c", "1", "3").redirectErrorStream(true).start();
      String why = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), "this test makes a device node (needs root, as on CI): " + why);
      int code = run("export", ckpt.toString(), "-o", dev.toString());
      assertEquals(CommandLine.ExitCode.USAGE, code, err.toString());
      assertTrue(err.toString().contains(dev + ": output is a character device, not a regular file"),
          err.toString());
      assertTrue(Files.exists(dev) && !Files.isRegularFile(dev), "the device node is still there");
      assertFalse(Files.exists(tmp.resolve("null.data")));
    }
  }

  @Nested
  class Batch {
    Path zoo;
    Path recipe;
    Path out;
    final StringWriter stdout = new StringWriter();

    @BeforeEach
    void zoo() throws IOException {
      zoo = Files.createDirectories(tmp.resolve("zoo"));
      Files.move(ckpt, zoo.resolve("llama"));
      out = tmp.resolve("out");
      recipe = Files.writeString(tmp.resolve("recipe.yaml"), """
          drop_attention: {blocks: "3"}
          plan: {chains: "2-3"}
          output: {format: onnx}
          """);
    }

    private int batch() {
      CommandLine cl = FfnFuseCli.commandLine();
      stdout.getBuffer().setLength(0);
      cl.setOut(new PrintWriter(stdout, true));
      cl.setErr(new PrintWriter(err, true));
      return cl.execute("batch", zoo.toString(), "--recipe", recipe.toString(), "-o", out.toString(), "--quiet");
    }

    private String plannedChains() throws IOException {
      return new ObjectMapper().readTree(out.resolve("llama/plan.json").toFile()).path("chains").toString();
    }

    @Test
    void batch_anotherProcessHoldsTheLock_refusedWithExitCode4() throws Exception {
      Files.createDirectories(out);
      Path holder = Files.writeString(tmp.resolve("HoldLock.java"), """
          import java.nio.channels.FileChannel;
          import java.nio.file.*;
          public class HoldLock {
            public static void main(String[] a) throws Exception {
              try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE); var lock = ch.lock()) {
                System.out.println("locked");
                System.out.flush();
                System.in.read();
              }
            }
          }
          """);
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process p = new ProcessBuilder(java.toString(), holder.toString(), out.resolve(BatchRunner.LOCK_FILE)
          .toString()).redirectErrorStream(true).start();
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", r.readLine());
        assertEquals(ErrorHandler.IO_ERROR, batch(), err.toString());
        assertTrue(err.toString().contains(out + ": another ffnfuse batch is writing to this output folder"),
            err.toString());
        assertFalse(Files.exists(out.resolve("llama")));
      } finally {
        p.getOutputStream().close();
        p.waitFor();
      }
    }

    @Test
    void batch_sameProcessHoldsTheLock_refusedWithExitCode4() throws Exception {
      Files.createDirectories(out);
      try (FileChannel ch = FileChannel.open(out.resolve(BatchRunner.LOCK_FILE), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
        assertEquals(ErrorHandler.IO_ERROR, batch(), err.toString());
        assertTrue(err.toString().contains("another ffnfuse batch is writing to this output folder"), err.toString());
      }
    }

    @Test
    void batch_recipeChanged_rerunsTheModelWithTheNewRecipe() throws Exception {
      assertEquals(0, batch(), err.toString());
      assertEquals("[{\"first\":2,\"last\":3}]", plannedChains());
      Files.writeString(recipe, """
          drop_attention: {blocks: "2-3"}
          plan: {chains: "1-3"}
          output: {format: onnx}
          """);
      assertEquals(0, batch(), err.toString());
      assertTrue(err.toString().contains("batch: llama: its output is out of date (the recipe or a text it reads"
          + " changed); running it again"), err.toString());
      assertTrue(stdout.toString().contains("| llama | done |"), stdout.toString());
      assertEquals("[{\"first\":1,\"last\":3}]", plannedChains());
    }

    @Test
    void batch_verifyTextChanged_rerunsTheModel() throws Exception {
      StringBuilder ids = new StringBuilder("{\"ids\":[1");
      for (int i = 0; i < 40; i++) {
        ids.append(',').append(2 + (i * 37) % 500);
      }
      Path text = Files.writeString(tmp.resolve("ids.json"), ids.append("]}").toString());
      Files.writeString(recipe, """
          drop_attention: {blocks: "2-3"}
          plan: {chains: "2-3"}
          output: {format: onnx}
          verify: {text: %s, window: 16, windows: 2}
          """.formatted(text));
      assertEquals(0, batch(), err.toString());
      Files.setLastModifiedTime(text, FileTime.fromMillis(Files.getLastModifiedTime(text).toMillis() + 3_600_000));
      assertEquals(0, batch(), err.toString());
      assertTrue(err.toString().contains("batch: llama: its output is out of date (the recipe or a text it reads"
          + " changed)"), err.toString());
      assertTrue(stdout.toString().contains("| llama | done |"), stdout.toString());
    }

    @Test
    void batch_inputChanged_rerunsTheModel() throws Exception {
      assertEquals(0, batch(), err.toString());
      Path shard = zoo.resolve("llama/model.safetensors");
      Files.setLastModifiedTime(shard, FileTime.fromMillis(Files.getLastModifiedTime(shard).toMillis() + 3_600_000));
      assertEquals(0, batch(), err.toString());
      assertTrue(err.toString().contains("batch: llama: its output is out of date (the input changed)"),
          err.toString());
      assertTrue(stdout.toString().contains("| llama | done |"), stdout.toString());
    }

    @Test
    void batch_nothingChanged_skipsTheModel() throws Exception {
      assertEquals(0, batch(), err.toString());
      assertEquals(0, batch(), err.toString());
      assertTrue(stdout.toString().contains("| llama | skipped |"), stdout.toString());
      assertFalse(err.toString().contains("out of date"), err.toString());
    }

    @Test
    void batch_outputInsideAModel_refused() throws Exception {
      Path inside = zoo.resolve("llama/out");
      int code = run("batch", zoo.toString(), "--recipe", recipe.toString(), "-o", inside.toString(), "--quiet");
      assertEquals(CommandLine.ExitCode.USAGE, code, err.toString());
      assertTrue(err.toString().contains("output " + inside + " is inside the input folder " + zoo.resolve("llama")),
          err.toString());
      assertFalse(Files.exists(inside));
    }
  }
}

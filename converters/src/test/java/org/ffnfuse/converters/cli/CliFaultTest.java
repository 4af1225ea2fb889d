package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ffnfuse.converters.bench.MeteredProcess;
import org.ffnfuse.converters.bench.SyntheticCheckpoints;
import org.ffnfuse.converters.bench.SyntheticModel;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.Manifest;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.testing.Environment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around the command line, each run in a child JVM as a user would run it: {@code kill -9} while fuse or export
 * writes (nothing partial under the destination, a rerun succeeds), a full disk and a read-only destination (real
 * tmpfs mounts: need root and {@code mount}, as CI has; skipped without root, failed without it under
 * {@code CI=true}), truncated and swapped input shards, and the output manifest.
 *
 * <p>The input is a generated nemotron-nas checkpoint of about 230 MB (Llama-shaped, 16 blocks, attention removed in
 * 9..15, shards of at most 80 MB), big enough that a kill lands while the output is being written.
 */
class CliFaultTest {
  private static final SyntheticModel MODEL = SyntheticModel.preset("1b").scaled(768, 2048, 32000, 12, 4)
      .withLayers(16).withoutAttention(9, 15);
  /** A hang guard, not a speed requirement: generous for a loaded shared machine. */
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  @TempDir static Path shared;
  static Path ckpt;

  @TempDir Path dir;

  @BeforeAll
  static void generate() throws IOException {
    ckpt = shared.resolve("ckpt");
    SyntheticCheckpoints.write(MODEL, ckpt, new SyntheticCheckpoints.Options(7, 80_000_000L));
  }

  /** Exit code and combined output of a finished CLI run. */
  record Result(int exit, String output) {}

  private Process start(Path log, String... args) throws IOException {
    List<String> cmd = MeteredProcess.javaCommand("256m", FfnFuseCli.class.getName(), List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private Result run(String... args) throws IOException, InterruptedException {
    Path log = Files.createTempFile(shared, "cli", ".log");
    Process p = start(log, args);
    assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "ffnfuse did not finish in " + TIMEOUT);
    return new Result(p.exitValue(), Files.readString(log));
  }

  /** Starts the CLI, kills it with SIGKILL once a temporary file under {@code watch} holds over 8 MB. */
  private void killWhileWriting(Path watch, String... args) throws IOException, InterruptedException {
    Process p = start(Files.createTempFile(shared, "killed", ".log"), args);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    boolean writing = false;
    while (!writing && p.isAlive() && System.nanoTime() < deadline) {
      writing = largestTemporaryFile(watch) > (8 << 20);
      Thread.sleep(5);
    }
    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
    p.waitFor();
    assertTrue(writing, "the kill did not land mid-write: the output was never partly written (exit "
        + p.exitValue() + ")");
    assertEquals(137, p.exitValue(), "killed by SIGKILL");
  }

  private static long largestTemporaryFile(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().contains(".tmp-") && Files.isRegularFile(p)).mapToLong(p -> p.toFile()
          .length()).max().orElse(0);
    } catch (java.io.UncheckedIOException e) {
      return 0; // a file vanished during the walk (renamed into place)
    }
  }

  /** Names of the entries of {@code folder} that are not temporary names. */
  private static List<String> nonTemporary(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !AtomicFiles.isTemporary(n)).sorted().toList();
    }
  }

  private static List<Path> shards(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }
  }

  private static List<Path> everything(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).toList();
    }
  }

  @Nested
  class Kill {
    @Test
    void fuseToCheckpoint_killed_leavesOnlyTemporaryNames_andRerunSucceeds() throws Exception {
      Path out = dir.resolve("fused");
      killWhileWriting(dir, "fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString());
      assertEquals(List.of(), nonTemporary(dir));

      Result r = run("fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString());
      assertEquals(0, r.exit(), r.output());
      assertEquals(List.of("fused"), nonTemporary(dir));
      assertDoesNotThrow(() -> Manifest.verify(out.resolve(Manifest.FILE_NAME)));
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(out)) {
        assertTrue(c.contains("model.layers.8.mlp.down_proj.weight"));
        assertFalse(c.contains("model.layers.9.mlp.down_proj.weight"));
      }
    }

    @Test
    void fuseToOnnx_killed_leavesOnlyTemporaryNames_andRerunSucceeds() throws Exception {
      Path out = dir.resolve("fused.onnx");
      killWhileWriting(dir, "fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString(), "--dtype", "fp16");
      assertEquals(List.of(), nonTemporary(dir));

      Result r = run("fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString(), "--dtype", "fp16");
      assertEquals(0, r.exit(), r.output());
      assertEquals(List.of("fused.onnx", "fused.onnx.data", "fused.onnx.manifest.json"), nonTemporary(dir));
      assertDoesNotThrow(() -> Manifest.verify(Manifest.fileFor(out)));
      try (OnnxModel m = OnnxModel.open(out)) {
        assertFalse(m.initializerNames().isEmpty());
      }
    }

    @Test
    void batch_killed_leavesNoPartialModelOutput_andRerunCompletesEveryModel() throws Exception {
      Path zoo = dir.resolve("zoo");
      for (String name : List.of("a", "b")) {
        Files.createDirectories(zoo.resolve(name));
        for (Path p : everything(ckpt)) {
          Files.createLink(zoo.resolve(name).resolve(p.getFileName()), p); // same bytes, no copy
        }
      }
      Path recipe = Files.writeString(dir.resolve("recipe.yaml"),
          "plan: {chains: \"8-15\"}\noutput: {format: checkpoint}\n");
      Path out = dir.resolve("out");
      killWhileWriting(out, "batch", zoo.toString(), "--recipe", recipe.toString(), "-o", out.toString());
      try (Stream<Path> s = Files.walk(out)) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          boolean insideTemporary = out.relativize(p).toString().contains(".tmp-");
          assertFalse(p.toString().endsWith(".safetensors") && !insideTemporary,
              "a finished-looking shard outside a temporary folder after the kill: " + p);
        }
      }

      Result r = run("batch", zoo.toString(), "--recipe", recipe.toString(), "-o", out.toString());
      assertEquals(0, r.exit(), r.output());
      for (String name : List.of("a", "b")) {
        try (Stream<Path> s = Files.walk(out)) {
          List<Path> configs = s.filter(p -> p.getFileName().toString().equals("config.json")
              && !out.relativize(p).toString().contains(".tmp-") && out.relativize(p).startsWith(name)).toList();
          assertFalse(configs.isEmpty(), "no finished output for model " + name + ":\n" + r.output());
        }
      }
    }

    @Test
    void export_killed_leavesOnlyTemporaryNames_andRerunSucceeds() throws Exception {
      Path out = dir.resolve("model.onnx");
      killWhileWriting(dir, "export", ckpt.toString(), "-o", out.toString(), "--dtype", "fp16");
      assertEquals(List.of(), nonTemporary(dir));

      Result r = run("export", ckpt.toString(), "-o", out.toString(), "--dtype", "fp16");
      assertEquals(0, r.exit(), r.output());
      try (OnnxModel m = OnnxModel.open(out)) {
        assertFalse(m.initializerNames().isEmpty());
      }
    }
  }

  @Nested
  class Destination {
    @BeforeEach
    void needsRoot() {
      Environment.requireRoot("mounts a tmpfs");
    }

    @Test
    void fullDisk_failsNamingThePath_andLeavesNoTemporaryFiles() throws Exception {
      Path mnt = mount(dir.resolve("small"), "size=64m");
      try {
        Path out = mnt.resolve("fused");
        Result r = run("fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString());
        assertEquals(ErrorHandler.IO_ERROR, r.exit(), r.output());
        assertTrue(r.output().contains("no space left on device") && r.output().contains(out.toString()),
            r.output());
        assertEquals(List.of(), everything(mnt), "nothing may be left on the full disk");
      } finally {
        umount(mnt);
      }
    }

    @Test
    void readOnlyDestination_failsNamingThePath() throws Exception {
      Path mnt = mount(dir.resolve("ro"), "ro,size=1m");
      try {
        Path out = mnt.resolve("fused");
        Result r = run("fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString());
        assertEquals(ErrorHandler.IO_ERROR, r.exit(), r.output());
        assertTrue(r.output().contains(out.toString()) && r.output().toLowerCase().contains("read-only"),
            r.output());
      } finally {
        umount(mnt);
      }
    }

    private Path mount(Path at, String options) throws IOException, InterruptedException {
      Files.createDirectories(at);
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), "this test mounts a tmpfs (needs root and mount, as on CI): " + out);
      return at;
    }

    private void umount(Path at) throws IOException, InterruptedException {
      Process p = new ProcessBuilder("umount", at.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), "umount " + at + ": " + out);
    }
  }

  @Nested
  class CorruptInput {
    private Path copyOfInput() throws IOException {
      Path copy = dir.resolve("in");
      Files.createDirectories(copy);
      for (Path p : everything(ckpt)) {
        Files.copy(p, copy.resolve(p.getFileName()));
      }
      return copy;
    }

    @Test
    void truncatedShard_isRefusedWithSizesAndOffsets() throws Exception {
      Path in = copyOfInput();
      Path shard = shards(in).get(1);
      long size = Files.size(shard);
      try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
        ch.truncate(size / 2);
      }
      Result r = run("fuse", in.toString(), "--chains", "8-15", "-o", dir.resolve("out").toString());
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.output());
      assertTrue(r.output().contains(shard.toString()) && r.output().contains("truncated")
          && r.output().contains("file offset"), r.output());
      assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void swappedShards_areRefusedNamingBoth() throws Exception {
      Path in = copyOfInput();
      List<Path> shards = shards(in);
      assertTrue(shards.size() >= 3, "expected at least three shards, got " + shards);
      Path a = shards.get(0);
      Path b = shards.get(shards.size() - 1);
      Path t = in.resolve("swap");
      Files.move(a, t);
      Files.move(b, a);
      Files.move(t, b);
      Result r = run("fuse", in.toString(), "--chains", "8-15", "-o", dir.resolve("out").toString());
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.output());
      assertTrue(r.output().contains(a.getFileName().toString()) && r.output().contains(b.getFileName().toString()),
          r.output());
    }

    @Test
    void swappedOutputShards_areCaughtByTheManifest() throws Exception {
      Path out = dir.resolve("fused");
      Result r = run("fuse", ckpt.toString(), "--chains", "8-15", "-o", out.toString());
      assertEquals(0, r.exit(), r.output());
      List<Path> shards = shards(out);
      assertTrue(shards.size() >= 2, "expected a sharded output, got " + shards);
      Path t = out.resolve("swap");
      Files.move(shards.get(0), t);
      Files.move(shards.get(1), shards.get(0));
      Files.move(t, shards.get(1));
      var e = org.junit.jupiter.api.Assertions.assertThrows(org.ffnfuse.formats.ModelFormatException.class,
          () -> Manifest.verify(out.resolve(Manifest.FILE_NAME)));
      assertTrue(e.getMessage().contains("swapped"), e.getMessage());
    }
  }
}

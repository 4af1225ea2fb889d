package org.ffnfuse.converters.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.ffnfuse.converters.bench.MeteredProcess;
import org.ffnfuse.converters.bench.SyntheticCheckpoints;
import org.ffnfuse.converters.bench.SyntheticModel;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FusionPlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ffnfuse bench-fuse}: fuses a chain of FFNs of a generated Llama-shaped checkpoint in a child JVM with a small
 * heap, and compares its write throughput with {@code cp -r} of the same checkpoint.
 *
 * <p>The checkpoint (random BF16, sharded at 5 GB, see {@link SyntheticCheckpoints}) is nemotron-nas with attention
 * removed in every block of the chain but its first, so that the chain can fuse. Each timed step starts after a
 * {@code sync} (untimed), so no step pays for another's dirty pages. {@code cp} is timed alone and with a following
 * {@code sync}: fuse writes through {@code fsync}, so "cp+sync" is the like-for-like baseline. The page cache is not
 * dropped; a freshly generated checkpoint is mostly resident when the machine has the memory for it.
 *
 * <p>With {@code --from onnx} the checkpoint is first exported to ONNX ({@code --dtype}, fp16 by default; an 8B shape
 * gives 16 GB of external data), kept beside it for later runs, and the fusion is ONNX → ONNX, compared with
 * {@code cp -r} of the ONNX folder.
 */
@Command(name = "bench-fuse", mixinStandardHelpOptions = true,
    description = {"Times `ffnfuse fuse` of a generated Llama-shaped checkpoint in a child JVM with a small -Xmx,",
        "beside `cp -r` of the same checkpoint; reports throughput and peak RSS."})
public final class BenchFuseCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "1b", description = "1b, 3b or 8b (Llama 3 shapes), or tiny (for tests)"
      + " (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--layers", description = "override the number of layers")
  Integer layers;

  @Option(names = "--chains", defaultValue = "8-15", description = "the chain to fuse (default: ${DEFAULT-VALUE})")
  String chains;

  @Option(names = "--from", defaultValue = "checkpoint", description = "input: checkpoint, or onnx (the checkpoint"
      + " exported with --dtype, default fp16, once and reused) (default: ${DEFAULT-VALUE})")
  String from;

  @Option(names = "--to", defaultValue = "nas", description = "output: nas (checkpoint folder) or onnx"
      + " (default: ${DEFAULT-VALUE})")
  String to;

  @Option(names = "--dtype", description = "fuse --dtype (default: same for nas, fp16 for onnx)")
  String dtype;

  @Option(names = "--xmx", defaultValue = "512m", description = "-Xmx of the fusing JVM (default: ${DEFAULT-VALUE})")
  String xmx;

  @Option(names = "--dir", description = "work folder; a checkpoint generated there earlier with the same shape is"
      + " reused and kept (default: a temporary folder, deleted afterwards)")
  Path dir;

  @Option(names = "--seed", defaultValue = "42", description = "seed of the random weights (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
  Path json;

  @Option(names = "--repeat", defaultValue = "3", description = "runs of cp and fuse, alternating; the report gives"
      + " medians (default: ${DEFAULT-VALUE})")
  int repeat;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** One timed step: bytes written and seconds (the median over runs), with every run's seconds. */
  public record Step(String name, long bytes, double seconds, double gbPerSecond, List<Double> runs) {
    static Step of(String name, long bytes, List<Double> runs) {
      double[] v = runs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      return new Step(name, bytes, median, bytes / 1e9 / median, List.copyOf(runs));
    }
  }

  /** The whole report, as written by {@code --json}. */
  public record Report(String model, String label, long parameters, String from, long inputBytes, int inputFiles,
      boolean generatedNow, Step generate, Step export, String fuseCommand, String xmx, Step fuse, long peakRssBytes,
      long peakAnonBytes, long peakFileBytes, Step cp, Step cpSync, double ratioToCp, double ratioToCpSync,
      double cpCpuSeconds, double fuseCpuSeconds, Map<String, Object> machine) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchFuseCommand()).setExecutionExceptionHandler(new ErrorHandler())
        .execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    FusionPlan plan = FusionPlan.parse(chains);
    if (plan.chains().size() != 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--chains takes one chain, got " + chains);
    }
    if (repeat < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1");
    }
    if (!from.equals("checkpoint") && !from.equals("onnx")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--from must be checkpoint or onnx, got " + from);
    }
    if (from.equals("onnx")) {
      to = "onnx";
    }
    if (!to.equals("nas") && !to.equals("onnx")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--to must be nas or onnx, got " + to);
    }
    ChainRange chain = plan.chains().get(0);
    SyntheticModel m = SyntheticModel.preset(model);
    if (layers != null) {
      m = m.withLayers(layers);
    }
    if (chain.last() >= m.numLayers()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "chain " + chain + " does not fit a "
          + m.numLayers() + "-layer model");
    }
    if (chain.last() > chain.first()) {
      m = m.withoutAttention(chain.first() + 1, chain.last());
    }
    if (json != null) {
      String label = m.label(); // a checkpoint reused from --dir is an input
      OutputGuard.create().input(Optional.ofNullable(dir).map(d -> d.resolve(label))).output(json).check();
    }
    boolean tempDir = dir == null;
    Path work = tempDir ? Files.createTempDirectory("ffnfuse-bench-fuse") : dir;
    Files.createDirectories(work);
    Path ckpt = work.resolve(m.label());
    Path copy = work.resolve(m.label() + ".cp");
    Path fused = work.resolve(m.label() + ".fused");
    Path log = work.resolve(m.label() + ".fuse.log");
    try {
      out.printf("checkpoint %s: %s, %,d parameters, %.2f GB of BF16%n", ckpt, m, m.parameterCount(),
          m.byteSize() / 1e9);
      out.flush();
      sync();
      long t0 = System.nanoTime();
      boolean generated = SyntheticCheckpoints.ensure(m, ckpt, new SyntheticCheckpoints.Options(seed,
          SyntheticCheckpoints.HF_SHARD_BYTES));
      double genSeconds = (System.nanoTime() - t0) / 1e9;
      Step generate = generated ? Step.of("generate", folderBytes(ckpt), List.of(genSeconds)) : null;
      out.printf(generated ? "generated in %.1f s%n" : "reused (checked in %.1f s)%n", genSeconds);
      out.flush();
      String d = dtype != null ? dtype : to.equals("onnx") ? "fp16" : "same";
      Path input = ckpt;
      Path modelArg = ckpt;
      Step export = null;
      if (from.equals("onnx")) {
        input = work.resolve(m.label() + "-onnx-" + d);
        modelArg = input.resolve("model.onnx");
        if (!Files.isRegularFile(modelArg)) {
          Files.createDirectories(input);
          out.printf("exporting %s to %s (%s) ...%n", ckpt, modelArg, d);
          out.flush();
          t0 = System.nanoTime();
          OnnxExporter.export(ckpt, modelArg, ExportOptions.defaults().withWeightType(
              CheckpointOutput.dtype(d, DType.BF16, true)));
          export = Step.of("export", folderBytes(input), List.of((System.nanoTime() - t0) / 1e9));
        }
      }
      long inputBytes = folderBytes(input);
      int inputFiles = fileCount(input);

      Path target = to.equals("onnx") ? fused.resolve("model.onnx") : fused;
      List<String> args = new ArrayList<>(List.of("fuse", modelArg.toString(), "--chains", chains, "-o",
          target.toString()));
      if (from.equals("checkpoint")) {
        args.addAll(List.of("--dtype", d));
      }
      List<String> cmd = MeteredProcess.javaCommand(xmx, FfnFuseCli.class.getName(), args);
      List<Double> cpRuns = new ArrayList<>();
      List<Double> cpSyncRuns = new ArrayList<>();
      List<Double> fuseRuns = new ArrayList<>();
      long peakRss = 0;
      long peakAnon = 0;
      long peakFile = 0;
      long outBytes = 0;
      List<Double> fuseCpu = new ArrayList<>();
      List<Double> cpCpu = new ArrayList<>();
      for (int run = 1; run <= repeat; run++) {
        AtomicFiles.deleteTree(copy);
        sync();
        t0 = System.nanoTime();
        MeteredProcess.Measurement c = MeteredProcess.run(List.of("cp", "-r", input.toString(), copy.toString()), log);
        if (c.exitCode() != 0) {
          throw new IOException("cp -r exited with " + c.exitCode() + ": " + Files.readString(log));
        }
        cpRuns.add((System.nanoTime() - t0) / 1e9);
        cpCpu.add(c.cpuSeconds());
        sync();
        cpSyncRuns.add((System.nanoTime() - t0) / 1e9);
        AtomicFiles.deleteTree(copy);

        AtomicFiles.deleteTree(fused);
        if (to.equals("onnx")) {
          Files.createDirectories(fused);
        }
        Files.deleteIfExists(log);
        sync();
        MeteredProcess.Measurement r = MeteredProcess.run(cmd, log);
        if (r.exitCode() != 0) {
          throw new IOException("fuse exited with " + r.exitCode() + "; its output is in " + log + ":\n"
              + Files.readString(log));
        }
        outBytes = folderBytes(fused);
        AtomicFiles.deleteTree(fused);
        fuseRuns.add(r.seconds());
        fuseCpu.add(r.cpuSeconds());
        peakRss = Math.max(peakRss, r.peakRssBytes());
        peakAnon = Math.max(peakAnon, r.peakAnonBytes());
        peakFile = Math.max(peakFile, r.peakFileBytes());
        out.printf("run %d/%d: cp -r %.1f s (with sync %.1f s; CPU %.1f s), fuse %.1f s (CPU %.1f s), peak RSS %.0f"
            + " MiB%n", run, repeat, cpRuns.get(run - 1), cpSyncRuns.get(run - 1), c.cpuSeconds(), r.seconds(),
            r.cpuSeconds(), r.peakRssBytes() / 1048576.0);
        out.flush();
      }
      Step cp = Step.of("cp -r", inputBytes, cpRuns);
      Step cpSync = Step.of("cp -r + sync", inputBytes, cpSyncRuns);
      Step fuse = Step.of("fuse", outBytes, fuseRuns);
      Report rep = new Report(model, m.label(), m.parameterCount(), from, inputBytes, inputFiles, generated, generate,
          export,
          "ffnfuse " + String.join(" ", args), xmx, fuse, peakRss, peakAnon, peakFile, cp,
          cpSync, fuse.gbPerSecond() / cp.gbPerSecond(), fuse.gbPerSecond() / cpSync.gbPerSecond(),
          Step.of("cp cpu", inputBytes, cpCpu).seconds(), Step.of("fuse cpu", outBytes, fuseCpu).seconds(), machine());
      print(out, rep);
      if (json != null) {
        AtomicFiles.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(rep) + "\n");
        out.println("wrote " + json);
      }
      return 0;
    } finally {
      AtomicFiles.deleteTree(copy);
      AtomicFiles.deleteTree(fused);
      if (tempDir) {
        AtomicFiles.deleteTree(work);
      } else {
        out.println("kept " + ckpt);
      }
      out.flush();
    }
  }

  private static void print(PrintWriter out, Report r) {
    out.printf("%n%s (%s) from %s: %.2f GB input in %d files, fuse of %s with -Xmx%s%n", r.label(), r.model(), r.from(),
        r.inputBytes() / 1e9, r.inputFiles(), r.fuseCommand(), r.xmx());
    out.printf("%-14s %14s %10s %8s  %s%n", "step", "bytes written", "median s", "GB/s", "runs (s)");
    List<Step> steps = new ArrayList<>();
    if (r.generate() != null) {
      steps.add(r.generate());
    }
    if (r.export() != null) {
      steps.add(r.export());
    }
    steps.addAll(List.of(r.cp(), r.cpSync(), r.fuse()));
    for (Step s : steps) {
      out.printf("%-14s %,14d %10.2f %8.3f  %s%n", s.name(), s.bytes(), s.seconds(), s.gbPerSecond(),
          s.runs().stream().map(x -> String.format("%.2f", x)).toList());
    }
    out.printf("fuse / cp: %.2f×, fuse / (cp+sync): %.2f× (goal ≥ 0.7×)%n", r.ratioToCp(), r.ratioToCpSync());
    out.printf("CPU time (median): cp %.1f s, fuse %.1f s (%.2f s per GB written); load average %s%n",
        r.cpCpuSeconds(), r.fuseCpuSeconds(), r.fuseCpuSeconds() / (r.fuse().bytes() / 1e9), loadAverage());
    out.printf("fuse peak RSS over all runs %.0f MiB (anonymous ≤ %.0f MiB, file-backed ≤ %.0f MiB; goal ≤ 1024 MiB)%n",
        r.peakRssBytes() / 1048576.0, r.peakAnonBytes() / 1048576.0, r.peakFileBytes() / 1048576.0);
    out.flush();
  }

  private static void sync() throws IOException, InterruptedException {
    runOrThrow(List.of("sync"));
  }

  private static void runOrThrow(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    int exit = p.waitFor();
    if (exit != 0) {
      throw new IOException(String.join(" ", cmd) + " exited with " + exit + ": " + output.trim());
    }
  }

  static long folderBytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      long total = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }

  private static int fileCount(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return (int) s.filter(Files::isRegularFile).count();
    }
  }

  private static Map<String, Object> machine() {
    return Map.of("cpus", Runtime.getRuntime().availableProcessors(), "java", System.getProperty("java.version"),
        "os", System.getProperty("os.name") + " " + System.getProperty("os.version"), "loadAverage", loadAverage());
  }

  /** The 1, 5 and 15 minute load averages: how busy the machine was (other work skews wall times). */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}

package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.CalibrationOptions;
import org.ffnfuse.converters.analysis.FusionPlanner;
import org.ffnfuse.converters.analysis.PlannedChain;
import org.ffnfuse.converters.bench.BenchConfig;
import org.ffnfuse.converters.bench.BenchResult;
import org.ffnfuse.converters.bench.ExecutionProvider;
import org.ffnfuse.converters.bench.OrtBenchmark;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.fuse.ModelFusion;
import org.ffnfuse.converters.verify.Verifier;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.graph.fusion.BlockRole;
import org.ffnfuse.graph.fusion.FusionPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ffnfuse demo}: the whole pipeline on the bundled sample (nas-austen-16l, whose blocks 8..14 have no
 * attention) — analyze on calibration text, plan, fuse to ONNX and to a nemotron-nas checkpoint, verify on held-out
 * text, bench — printing the original beside the fused model.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the FFN Fusion pipeline on the bundled sample model and print the before/after table.")
final class DemoCommand implements Callable<Integer> {
  /** The files the demo writes into its work folder (--keep DIR). */
  private static final String ORIGINAL = "original.onnx";
  private static final String FUSED = "fused.onnx";
  private static final String FUSED_CHECKPOINT = "fused-checkpoint";

  @Option(names = "--model", description = "checkpoint folder (default: the bundled samples/models/nas-austen-16l)")
  Path model;

  @Option(names = "--text", converter = ReadableFile.class,
      description = "evaluation text (default: the bundled Persuasion excerpt)")
  Path text;

  @Option(names = "--calibration", description = "calibration text (default: the bundled Brown-corpus excerpt)")
  Path calibration;

  @Option(names = "--calibration-tokens", defaultValue = "2048",
      description = "calibration tokens for the analysis (default: ${DEFAULT-VALUE})")
  long calibrationTokens;

  @Option(names = "--chains", description = "chains to fuse (default: the planner's choice from the analysis)")
  String chains;

  @Option(names = "--keep", paramLabel = "DIR", description = "keep the produced models in DIR (default: temporary)")
  Path keep;

  @Option(names = "--windows", defaultValue = "32", description = "evaluation windows of 256 tokens")
  int windows;

  @Override
  public Integer call() throws IOException, OrtException {
    Path home = Path.of(System.getProperty("ffnfuse.home", "."));
    Path in = model != null ? model : home.resolve("samples/models/nas-austen-16l");
    Path eval = text != null ? text : home.resolve("samples/text/persuasion-excerpt.txt");
    PrintStream out = System.out;
    Path calib = calibration != null ? calibration : home.resolve("samples/text/brown-excerpt.txt");
    if (keep != null) {
      OutputGuard.create().inputs(ModelPaths.inputs(in)).input(eval).input(calib)
          .outputs(ModelPaths.outputs(keep.resolve(ORIGINAL))).outputs(ModelPaths.outputs(keep.resolve(FUSED)))
          .output(keep.resolve(FUSED_CHECKPOINT)).check();
    }
    ModelConfig config = HfConfigReader.read(in);
    List<BlockRole> roles = ModelFusion.roles(config);
    out.printf(Locale.ROOT, "model: %s (%s, %d blocks, hidden %d)%n", in, config.family().modelType(),
        config.numLayers(), config.hiddenSize());
    out.printf(Locale.ROOT, "attention-free blocks: %s%n", attentionFree(roles));
    FusionPlan plan;
    if (chains != null) {
      plan = FusionPlan.parse(chains);
    } else {
      long t0 = System.nanoTime();
      AnalysisResult r = AnalyzeCommand.analyze(in, calib, calibrationTokens, 256, Optional.empty(),
          Optional.empty(), CalibrationOptions.all().withAttentionKl(false), 0, ProgressBars.disabled());
      FusionPlanner.Plan p = FusionPlanner.plan(r, FusionPlanner.Options.defaults());
      if (p.chains().isEmpty()) {
        throw new IllegalArgumentException("the planner found nothing to fuse in " + in + "; give --chains");
      }
      plan = p.fusionPlan();
      out.printf(Locale.ROOT, "  analyze on %s (%d windows, %d forward passes): %.1f s%n", calib.getFileName(),
          r.windows(), r.passes().total(), (System.nanoTime() - t0) / 1e9);
      for (PlannedChain c : p.chains()) {
        out.printf(Locale.ROOT, "  planned chain %d-%d: max dependency %.4f, sum %.4f (%s)%n", c.first(), c.last(),
            c.maxDependency(), c.sumDependency(), p.rule());
      }
    }
    out.printf(Locale.ROOT, "plan: fuse %s%n%n", plan);

    Path work = keep != null ? keep : Files.createTempDirectory("ffnfuse-demo-");
    try {
      Files.createDirectories(work);
      Path original = work.resolve(ORIGINAL);
      Path fused = work.resolve(FUSED);
      Path fusedCheckpoint = work.resolve(FUSED_CHECKPOINT);
      step(out, "export original to ONNX", () -> OnnxExporter.export(in, original,
          ExportOptions.defaults().withWeightType(DType.F32)));
      step(out, "fuse → ONNX", () -> Fusion.fuse(in, plan, fused, "fp32", false));
      step(out, "fuse → nemotron-nas checkpoint", () -> {
        AtomicFiles.deleteTree(fusedCheckpoint);
        Fusion.fuse(in, plan, fusedCheckpoint, "same", false);
      });
      VerifyReport r;
      try (RunnableModel a = RunnableModel.open(original); RunnableModel b = RunnableModel.open(fused)) {
        long bos = config.bosTokenId().orElse(1);
        long[][] w = TokenWindows.cut(EvalTokens.tokenize(eval, in.resolve("tokenizer.json")), Optional.of(bos),
            256, windows);
        long t0 = System.nanoTime();
        r = Verifier.verify(a, b, w, 0, done -> { });
        out.printf(Locale.ROOT, "  verify on %d windows of %s: %.1f s%n", w.length, eval.getFileName(),
            (System.nanoTime() - t0) / 1e9);
      }
      BenchConfig bc = new BenchConfig(List.of(1), 128, 0, 3, 10, ExecutionProvider.CPU, 1);
      BenchResult lo = OrtBenchmark.run(original, bc, s -> { }).get(0);
      BenchResult lf = OrtBenchmark.run(fused, bc, s -> { }).get(0);
      ModelConfig fusedConfig = HfConfigReader.read(fusedCheckpoint);
      out.println();
      out.println("| | original | fused |");
      out.println("|---|---:|---:|");
      out.printf(Locale.ROOT, "| blocks | %d | %d |%n", config.numLayers(), fusedConfig.numLayers());
      out.printf(Locale.ROOT, "| checkpoint size (bf16) | %.2f MB | %.2f MB |%n", size(in) / 1e6,
          size(fusedCheckpoint) / 1e6);
      out.printf(Locale.ROOT, "| ONNX size (fp32) | %.2f MB | %.2f MB |%n", size(original) / 1e6, size(fused) / 1e6);
      out.printf(Locale.ROOT, "| perplexity (%s) | %.3f | %.3f (%+.2f%%) |%n", eval.getFileName(),
          r.original().perplexity(), r.fused().perplexity(), 100 * r.perplexityIncrease());
      out.printf(Locale.ROOT, "| ORT CPU latency, batch 1 × 128 tokens | %.2f ms | %.2f ms (%.2f×) |%n",
          lo.medianMs(), lf.medianMs(), lo.medianMs() / lf.medianMs());
      out.printf(Locale.ROOT, "| runs on CUDA EP (operator check) | %s | %s |%n", yes(r.original().cudaCompatible()),
          yes(r.fused().cudaCompatible()));
      out.printf(Locale.ROOT, "%nKL(original‖fused) %.4f nats/token, top-1 agreement %.1f%%%n", r.kl(),
          100 * r.top1());
      if (keep != null) {
        out.println("outputs kept in " + work);
      }
    } finally {
      if (keep == null) {
        AtomicFiles.deleteTree(work);
      }
    }
    return 0;
  }

  private static String attentionFree(List<BlockRole> roles) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < roles.size(); i++) {
      if (!roles.get(i).hasAttention()) {
        sb.append(sb.length() == 0 ? "" : ",").append(i);
      }
    }
    return sb.length() == 0 ? "none" : sb.toString();
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  private static long size(Path p) throws IOException {
    if (Files.isRegularFile(p)) {
      Path data = p.resolveSibling(p.getFileName() + ".data");
      return Files.size(p) + (Files.exists(data) ? Files.size(data) : 0);
    }
    try (Stream<Path> s = Files.list(p)) {
      long n = 0;
      for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList()) {
        n += Files.size(f);
      }
      return n;
    }
  }

  private interface Step {
    void run() throws IOException, OrtException;
  }

  private static void step(PrintStream out, String what, Step s) throws IOException, OrtException {
    long t0 = System.nanoTime();
    s.run();
    out.printf(Locale.ROOT, "  %s: %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
  }
}

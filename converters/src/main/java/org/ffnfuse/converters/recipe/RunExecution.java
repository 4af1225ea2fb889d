package org.ffnfuse.converters.recipe;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ffnfuse.converters.analysis.AnalysisModel;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.CalibrationOptions;
import org.ffnfuse.converters.analysis.CalibrationRunner;
import org.ffnfuse.converters.analysis.FusionPlanner;
import org.ffnfuse.converters.analysis.OnnxAttentionRemoval;
import org.ffnfuse.converters.bench.BenchConfig;
import org.ffnfuse.converters.bench.BenchReport;
import org.ffnfuse.converters.bench.BenchResult;
import org.ffnfuse.converters.bench.OrtBenchmark;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.fuse.AttentionRemoval;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.converters.fuse.ModelFusion;
import org.ffnfuse.converters.fuse.OnnxFusion;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.converters.verify.Verifier;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.graph.fusion.FfnFusionPass;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * One run of a recipe inside the output's temporary folder: the steps in order, intermediate models in
 * {@code .work/} (deleted before the folder is published), then the report files and {@code SHA256SUMS}.
 */
final class RunExecution {
  /** Files that travel with a model: tokenizer and generation settings. */
  static final List<String> SIDE_FILES = List.of("tokenizer.json", "tokenizer_config.json", "tokenizer.model",
      "special_tokens_map.json", "generation_config.json", "chat_template.jinja");

  private final RunPlan run;
  private final Path out;
  private final Path work;
  private final RunListener listener;
  private final List<StepTime> steps = new ArrayList<>();
  private Optional<Path> originalOnnx = Optional.empty();
  private List<Integer> dropped = List.of();
  private Optional<FusionPlan> plan = Optional.empty();
  private boolean planFromAnalysis;
  private boolean analyzed;
  private SortedMap<Integer, Double> attentionKl = new TreeMap<>();

  RunExecution(RunPlan run, Path tmpOut, RunListener listener) {
    this.run = run;
    this.out = tmpOut;
    this.work = tmpOut.resolve(".work");
    this.listener = listener;
  }

  /** A step's body. */
  @FunctionalInterface
  interface Body<T> {
    T run() throws IOException, OrtException;
  }

  private <T> T step(String name, long total, Body<T> body) throws IOException, OrtException {
    listener.stepStarted(name, total);
    long t0 = System.nanoTime();
    T v = body.run();
    double s = (System.nanoTime() - t0) / 1e9;
    steps.add(new StepTime(name, s));
    listener.stepFinished(name, s);
    return v;
  }

  RunReport execute(Path finalOutput) throws IOException, OrtException {
    long t0 = System.nanoTime();
    Files.createDirectories(work);
    Optional<VerifyReport> verify = Optional.empty();
    List<String> failures = new ArrayList<>();
    List<BenchResult> bench = List.of();
    try {
      if (run.input().checkpoint()) {
        checkpointFlow();
      } else {
        onnxFlow();
      }
      if (plan.isPresent()) {
        PlanFile.write(PlanFile.toJson(plan.get()).put("source", planFromAnalysis ? "analysis" : "recipe"),
            out.resolve("plan.json"));
      }
      if (run.recipe().verify().isPresent() || run.recipe().bench().isPresent()) {
        Path original = originalOnnx();
        Path fused = fusedOnnx();
        if (run.recipe().verify().isPresent()) {
          VerifyReport r = verify(original, fused);
          verify = Optional.of(r);
          failures.addAll(run.recipe().verify().get().failures(r));
          AtomicFiles.writeString(out.resolve("verify.json"), RunReportFiles.verifyJson(r, failures));
        }
        if (run.recipe().bench().isPresent()) {
          bench = bench(original, fused);
        }
      }
    } finally {
      AtomicFiles.deleteTree(work);
    }
    listener.stepStarted("report", 0);
    long r0 = System.nanoTime();
    RunReport report = new RunReport(run.input().path(), finalOutput, run.format(), dropped, attentionKl, plan,
        planFromAnalysis, analyzed, verify, failures, bench, steps, run.inputBytes(), bytesUnder(out.resolve("model")),
        (System.nanoTime() - t0) / 1e9);
    AtomicFiles.writeString(out.resolve("recipe.yaml"), RecipeYaml.toYaml(run.recipe()));
    AtomicFiles.writeString(out.resolve(RunReport.FILE_NAME), RunReportFiles.json(report));
    AtomicFiles.writeString(out.resolve("summary.md"), RunReportFiles.markdown(report, run.recipe()));
    Sha256Sums.write(out);
    listener.stepFinished("report", (System.nanoTime() - r0) / 1e9);
    return report;
  }

  private void checkpointFlow() throws IOException, OrtException {
    ModelConfig config = run.input().config().orElseThrow();
    boolean onnxOut = run.format() == OutputFormat.ONNX;
    Recipe r = run.recipe();
    DType outType = CheckpointOutput.dtype(r.output().dtype().option(), config.dtype(), onnxOut);
    DType fuseType = r.fuse().dtype().map(d -> CheckpointOutput.dtype(d.option(), config.dtype(), false))
        .orElse(outType);
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(run.input().path())) {
      ExportModel model = OnnxExporter.load(config, ck);
      if (r.dropAttention().isPresent()) {
        Set<Integer> blocks = attentionToDrop(r.dropAttention().get());
        ExportModel before = model;
        model = step("drop-attention", 0, () -> AttentionRemoval.drop(before, blocks));
        dropped = List.copyOf(blocks);
      }
      if (needsStageAnalysis()) {
        ExportModel staged = model;
        Path stage = dropped.isEmpty() ? originalOnnx() : work.resolve("stage.onnx");
        if (!dropped.isEmpty()) {
          step("export-stage", 0, () -> OnnxExporter.export(staged, stage, ExportOptions.defaults()));
        }
        analyze(stage);
      }
      namedPlan();
      Path target = out.resolve("model");
      Path written = onnxOut ? target.resolve("model.onnx") : target;
      ExportModel finalModel = model;
      long shard = CheckpointOutput.shardSizeOf(ck);
      step(plan.isPresent() ? "fuse" : "write", 0, () -> {
        ExportModel m = plan.isPresent() ? ModelFusion.fuse(finalModel, plan.get(), fuseType, r.fuse()
            .keepPlaceholders()) : finalModel;
        CheckpointOutput.write(m, run.input().path(), written, outType, shard);
        if (onnxOut) {
          copySideFiles(target);
        }
        return null;
      });
    }
  }

  private void onnxFlow() throws IOException, OrtException {
    Recipe r = run.recipe();
    Path current = run.input().path();
    Path target = out.resolve("model");
    if (r.dropAttention().isPresent()) {
      Set<Integer> blocks = attentionToDrop(r.dropAttention().get());
      // Without a plan the model with attention removed is the output itself.
      Path dest = r.plan().isPresent() ? work.resolve("dropped.onnx") : target.resolve("model.onnx");
      step("drop-attention", 0, () -> OnnxAttentionRemoval.remove(run.input().path(), blocks, dest));
      dropped = List.copyOf(blocks);
      current = dest;
    }
    if (needsStageAnalysis()) {
      analyze(current);
    }
    namedPlan();
    if (plan.isPresent()) {
      Path source = current;
      // keep_placeholders is about a checkpoint's layer numbers; an ONNX graph has none (ignored, see FuseOptions).
      FfnFusionPass.Options options = new FfnFusionPass.Options(r.fuse().inline(),
          OnnxFusion.weightType(r.fuse().dtype().orElse(r.output().dtype()).option()));
      step("fuse", 0, () -> OnnxFusion.fuse(source, plan.get(), target.resolve("model.onnx"), options));
    }
    copySideFiles(target);
  }

  /** The recipe's named chains, unless the planner chose already. */
  private void namedPlan() {
    if (plan.isEmpty()) {
      plan = run.recipe().plan().filter(p -> p instanceof PlanStep.Chains).map(p -> ((PlanStep.Chains) p).plan());
    }
  }

  /** Whether the analysis must run on the model as it is after attention removal. */
  private boolean needsStageAnalysis() {
    Recipe r = run.recipe();
    return r.analyze() || r.plan().filter(p -> !(p instanceof PlanStep.Chains)).isPresent();
  }

  private Set<Integer> attentionToDrop(DropAttentionStep d) throws IOException, OrtException {
    if (d instanceof DropAttentionStep.Blocks b) {
      return b.asSet();
    }
    DropAttentionStep.Auto auto = (DropAttentionStep.Auto) d;
    AnalysisResult result = calibrate(originalOnnx(), CalibrationOptions.attentionOnly(), "rank-attention");
    attentionKl = result.attentionKl();
    return AnalysisSteps.attentionToDrop(result, auto);
  }

  private void analyze(Path onnx) throws IOException, OrtException {
    AnalysisResult result = calibrate(onnx, CalibrationOptions.all(), "analyze");
    Optional<PlanStep> planned = run.recipe().plan().filter(x -> !(x instanceof PlanStep.Chains));
    FusionPlanner.Plan p = step("plan", 0, () -> planned.isPresent() ? AnalysisSteps.plan(result, planned.get())
        : AnalysisSteps.defaultPlan(result));
    if (planned.isPresent()) {
      plan = Optional.of(p.fusionPlan());
      planFromAnalysis = true;
    }
    step("analysis-report", 0, () -> {
      AnalysisSteps.writeReport(result, p, out.resolve("analysis"));
      return null;
    });
    analyzed = true;
  }

  /** One calibration run on {@code onnx}: the analysis graph is built, then {@code step} runs its passes. */
  private AnalysisResult calibrate(Path onnx, CalibrationOptions options, String stepName)
      throws IOException, OrtException {
    AnalysisModel m = step("analysis-graph", 0, () -> AnalysisModel.open(onnx, run.recipe().threads()));
    try (m) {
      long[][] windows = run.calibration();
      long total = (long) CalibrationRunner.passesPerBatch(m, options)
          * CalibrationRunner.batches(windows.length, options);
      return step(stepName, total, () -> CalibrationRunner.run(run.input().path().getFileName().toString(), m,
          windows, run.calibrationBos(), options, listener::stepProgress));
    }
  }

  /** The original as ONNX: the input itself, or its fp32 export (once). */
  private Path originalOnnx() throws IOException, OrtException {
    if (originalOnnx.isEmpty()) {
      if (run.input().checkpoint()) {
        Path p = work.resolve("original.onnx");
        step("export-original", 0, () -> OnnxExporter.export(run.input().path(), p, ExportOptions.defaults()));
        originalOnnx = Optional.of(p);
      } else {
        originalOnnx = Optional.of(run.input().path());
      }
    }
    return originalOnnx.get();
  }

  /** The written model as ONNX: itself, or the fp32 export of the written checkpoint (what verify must check). */
  private Path fusedOnnx() throws IOException, OrtException {
    Path model = out.resolve("model");
    if (run.format() == OutputFormat.ONNX) {
      return model.resolve("model.onnx");
    }
    Path p = work.resolve("fused.onnx");
    step("export-fused", 0, () -> OnnxExporter.export(model, p, ExportOptions.defaults()));
    return p;
  }

  private VerifyReport verify(Path original, Path fused) throws IOException, OrtException {
    long[][] windows = run.verifyWindows();
    VerifyReport r = step("verify", windows.length, () -> {
      try (RunnableModel a = RunnableModel.open(original); RunnableModel b = RunnableModel.open(fused)) {
        return Verifier.verify(a, b, windows, run.recipe().threads(), listener::stepProgress);
      }
    });
    // Name the models as the user knows them, not by their temporary exports.
    return r.withModelPaths(run.input().path().toString(), "model");
  }

  private List<BenchResult> bench(Path original, Path fused) throws IOException, OrtException {
    BenchOptions b = run.recipe().bench().orElseThrow();
    BenchConfig config = b.config(run.recipe().threads(), run.recipe().seed());
    long total = 2L * b.batches().size() * b.repeats();
    List<BenchResult> results = step("bench", total, () -> {
      long[] done = {0};
      List<BenchResult> all = new ArrayList<>();
      for (BenchResult x : OrtBenchmark.run(original, config, s -> listener.stepProgress(++done[0]))) {
        all.add(relabel(x, "original"));
      }
      for (BenchResult x : OrtBenchmark.run(fused, config, s -> listener.stepProgress(++done[0]))) {
        all.add(relabel(x, "fused"));
      }
      return all;
    });
    BenchReport report = new BenchReport(config, results);
    AtomicFiles.writeString(out.resolve("bench.json"), report.toJson());
    AtomicFiles.writeString(out.resolve("bench.md"), report.toMarkdown());
    return results;
  }

  private static BenchResult relabel(BenchResult r, String label) {
    return new BenchResult(label, r.batch(), r.seqLen(), r.medianMs(), r.p10Ms(), r.p90Ms(), r.tokensPerSecond(),
        r.samplesMs());
  }

  private void copySideFiles(Path target) throws IOException {
    Path src = run.input().sideFileDir();
    for (String f : SIDE_FILES) {
      if (Files.isRegularFile(src.resolve(f)) && !Files.exists(target.resolve(f))) {
        Files.copy(src.resolve(f), target.resolve(f));
      }
    }
  }

  /** Total size of the regular files below {@code dir} (0 if absent). */
  static long bytesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      long total = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }
}

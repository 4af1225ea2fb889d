package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.analysis.AnalysisModel;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.CalibrationOptions;
import org.ffnfuse.converters.analysis.CalibrationRunner;
import org.ffnfuse.converters.analysis.CalibrationWindows;
import org.ffnfuse.converters.analysis.FusionPlanner;
import org.ffnfuse.converters.analysis.PlannedChain;
import org.ffnfuse.converters.analysis.ReportFiles;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.formats.io.OutputGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse analyze}: block dependency matrices, profiles and attention importance on calibration text. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = {"Measure how blocks depend on each other on calibration text (n+1 forward passes per batch for",
        "the block matrix, one more per FFN and per attention) and write a report folder with a default plan.json."})
final class AnalyzeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "checkpoint folder or .onnx file")
  Path model;

  @Option(names = "--text", converter = ReadableFile.class, required = true,
      description = "calibration text (UTF-8), or pre-tokenized ids as JSON {\"ids\":[…]}")
  Path text;

  @Option(names = "--tokens", defaultValue = "16384",
      description = "calibration tokens, cut into windows (default: ${DEFAULT-VALUE})")
  long tokens;

  @Option(names = "--window", defaultValue = "256", description = "tokens per window (default: ${DEFAULT-VALUE})")
  int window;

  @Option(names = "--batch", defaultValue = "4", description = "windows per forward pass (default: ${DEFAULT-VALUE})")
  int batch;

  @Mixin
  ThreadsOption threads;

  @Option(names = "--tokenizer", description = "tokenizer.json (default: the one in/beside the model)")
  Path tokenizer;

  @Option(names = "--bos", description = "BOS token id prepended to each window (default: config bos_token_id)")
  Long bos;

  @Option(names = "--no-ffn-matrix", description = "skip the FFN-only matrix (n fewer passes per batch)")
  boolean noFfnMatrix;

  @Option(names = "--no-attention", description = "skip attention importance")
  boolean noAttention;

  @Mixin
  ProgressOptions progress;

  @Option(names = {"-o", "--output"}, required = true, description = "report folder (must not exist or be empty)")
  Path output;

  @Override
  public Integer call() throws IOException, OrtException {
    OutputGuard.create().inputs(ModelPaths.inputs(model)).input(text).input(Optional.ofNullable(tokenizer))
        .output(output).check();
    CalibrationOptions o = CalibrationOptions.all().withBatch(batch).withFfnMatrix(!noFfnMatrix)
        .withAttentionKl(!noAttention);
    AnalysisResult r = analyze(model, text, tokens, window, Optional.ofNullable(tokenizer), Optional.ofNullable(bos),
        o, threads.value(), progress.bars());
    FusionPlanner.Plan plan = FusionPlanner.plan(r, FusionPlanner.Options.defaults());
    ReportFiles.write(output, r, plan);
    System.out.print(summary(r, plan));
    System.out.println("report: " + output);
    return 0;
  }

  /** Runs the calibration on {@code model} (also used by {@code drop-attention --auto}), progress on {@code bars}. */
  static AnalysisResult analyze(Path model, Path text, long tokens, int window, Optional<Path> tokenizer,
      Optional<Long> bos, CalibrationOptions o, int threads, ProgressBars bars) throws IOException, OrtException {
    try (RunnableModel rm = RunnableModel.open(model)) {
      CalibrationWindows w = CalibrationWindows.of(rm, text, tokenizer, bos, window, tokens);
      AnalysisResult r;
      try (AnalysisModel am = AnalysisModel.open(rm.onnx(), threads)) {
        long total = (long) CalibrationRunner.passesPerBatch(am, o) * CalibrationRunner.batches(w.windows(), o);
        try (ProgressBars.Bar bar = bars.bar("analyze", total)) {
          r = CalibrationRunner.run(model.toString(), am, w.ids(), w.bosFirst(), o, bar::stepTo);
        }
      }
      return r.withPlainForwardSeconds(CalibrationRunner.timePlainForward(rm.onnx(), w.ids(), o.batch(), threads));
    }
  }

  static String summary(AnalysisResult r, FusionPlanner.Plan plan) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d windows of %d tokens, %d blocks: %d forward passes (%d per batch × %d"
        + " batches)%n", r.windows(), r.windowLength(), r.blocks(), r.passes().total(), r.passes().perBatch(),
        r.passes().batches()));
    sb.append(String.format(Locale.ROOT, "analysis %.2f s; one plain forward pass over the same tokens %.3f s%n",
        r.analysisSeconds(), r.plainForwardSeconds()));
    r.blockMatrix().ifPresent(m -> sb.append("\nblock dependency M[i][j] (row i skipped, column j measured):\n")
        .append(m));
    r.ffnMatrix().ifPresent(m -> sb.append("\nFFN dependency:\n").append(m));
    if (!r.attentionKl().isEmpty()) {
      sb.append("\nattention KL:");
      r.attentionKl().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %d:%.4f", k, v)));
      sb.append('\n');
    }
    sb.append("\ndefault plan (").append(plan.rule()).append("):");
    if (plan.chains().isEmpty()) {
      sb.append(" nothing to fuse (no attention-free run of 2+ FFNs)");
    }
    for (PlannedChain c : plan.chains()) {
      sb.append(String.format(Locale.ROOT, " %d-%d (M_max %.4f, M_sum %.4f)", c.first(), c.last(),
          c.maxDependency(), c.sumDependency()));
    }
    return sb.append('\n').toString();
  }
}

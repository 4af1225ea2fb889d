package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import org.ffnfuse.converters.bench.BenchResult;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * What a run did; also written as {@code report.json} in the output folder.
 *
 * @param model the input model, as named
 * @param output the output folder; the model is in {@code output/model}
 * @param format what {@code output/model} holds
 * @param droppedAttention blocks whose attention was removed (ascending; empty if none)
 * @param attentionKl per block with attention, the measured importance (KL of the next-token distribution with that
 *     attention removed, nats per token) when {@code drop_attention.auto} chose; empty otherwise
 * @param plan the chains fused, if any
 * @param planFromAnalysis whether the planner chose the chains (else the recipe named them)
 * @param analyzed whether the analysis ran (its report is in {@code output/analysis})
 * @param verify the verification, if the recipe had a verify section
 * @param failures verify thresholds exceeded and damaged files; empty = passed
 * @param bench benchmark results (original, then fused), if the recipe had a bench section
 * @param steps wall time of each step, in order
 * @param inputBytes size of the input model's files
 * @param outputBytes size of the files in {@code output/model}
 * @param seconds wall time of the whole run
 */
public record RunReport(Path model, Path output, OutputFormat format, List<Integer> droppedAttention,
    SortedMap<Integer, Double> attentionKl, Optional<FusionPlan> plan, boolean planFromAnalysis, boolean analyzed, Optional<VerifyReport> verify,
    List<String> failures, List<BenchResult> bench, List<StepTime> steps, long inputBytes, long outputBytes,
    double seconds) {
  /** The report file's name in the output folder. */
  public static final String FILE_NAME = "report.json";

  public RunReport {
    checkNotNull(model);
    checkNotNull(output);
    checkNotNull(format);
    droppedAttention = List.copyOf(droppedAttention);
    attentionKl = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(attentionKl));
    checkNotNull(plan);
    checkNotNull(verify);
    failures = List.copyOf(failures);
    bench = List.copyOf(bench);
    steps = List.copyOf(steps);
  }

  /** Whether every verify threshold held (true when nothing was verified). */
  public boolean passed() {
    return failures.isEmpty();
  }

  /** The fused model: {@code output/model} (a checkpoint folder) or {@code output/model/model.onnx}. */
  public Path modelPath() {
    Path dir = output.resolve("model");
    return format == OutputFormat.ONNX ? dir.resolve("model.onnx") : dir;
  }

  /** The original model's perplexity on the verify text, if verified. */
  public OptionalDouble perplexityBefore() {
    return verify.map(v -> OptionalDouble.of(v.original().perplexity())).orElse(OptionalDouble.empty());
  }

  /** The fused model's perplexity on the verify text, if verified. */
  public OptionalDouble perplexityAfter() {
    return verify.map(v -> OptionalDouble.of(v.fused().perplexity())).orElse(OptionalDouble.empty());
  }
}

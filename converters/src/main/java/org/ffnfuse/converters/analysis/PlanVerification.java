package org.ffnfuse.converters.analysis;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.ffnfuse.converters.eval.FailedCheckException;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.eval.Perplexity;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.io.AtomicFiles;

/**
 * {@code plan --verify}: fuses each candidate plan into a temporary fp32 ONNX model ({@link Fusion#fuse}), measures
 * its perplexity on evaluation windows, and keeps the best.
 */
public final class PlanVerification {
  private PlanVerification() {}

  /**
   * One measured candidate.
   *
   * @param plan the candidate
   * @param perplexity its perplexity on the evaluation windows
   */
  public record Measured(FusionPlanner.Plan plan, double perplexity) {}

  /**
   * The outcome.
   *
   * @param unfused perplexity of the model as it is
   * @param candidates every candidate with its perplexity, in the order tried
   * @param best the candidate with the lowest perplexity
   */
  public record Outcome(double unfused, List<Measured> candidates, Measured best) {
    public Outcome {
      candidates = List.copyOf(candidates);
    }
  }

  /**
   * Measures {@code candidates} of {@code model} on {@code windows}.
   *
   * @param log called with one line per measured model
   */
  public static Outcome verify(Path model, List<FusionPlanner.Plan> candidates, CalibrationWindows windows,
      int threads, Consumer<String> log) throws IOException, OrtException {
    Path dir = Files.createTempDirectory("ffnfuse-verify-");
    try {
      double unfused;
      try (RunnableModel rm = RunnableModel.open(model)) {
        unfused = perplexity(rm.onnx(), windows, threads);
      }
      log.accept(String.format(java.util.Locale.ROOT, "unfused: perplexity %.4f", unfused));
      if (!Double.isFinite(unfused)) {
        throw new FailedCheckException(model + ": the unfused model's perplexity on the evaluation windows is "
            + unfused + "; it computes NaN or infinite values, so no candidate can be judged");
      }
      List<Measured> out = new ArrayList<>();
      for (int k = 0; k < candidates.size(); k++) {
        FusionPlanner.Plan p = candidates.get(k);
        Path fused = dir.resolve("candidate-" + k + ".onnx");
        Fusion.fuse(model, p.fusionPlan(), fused, "fp32", false);
        double ppl = perplexity(fused, windows, threads);
        out.add(new Measured(p, ppl));
        log.accept(String.format(java.util.Locale.ROOT, "%s: perplexity %.4f%s", p.fusionPlan(), ppl,
            Double.isFinite(ppl) ? "" : " (not finite: never chosen)"));
        Files.deleteIfExists(fused);
        Files.deleteIfExists(fused.resolveSibling(fused.getFileName() + ".data"));
      }
      return new Outcome(unfused, out, best(model, out));
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }

  /**
   * The candidate with the lowest finite perplexity.
   *
   * @throws FailedCheckException if every candidate's perplexity is NaN or infinite
   */
  static Measured best(Path model, List<Measured> measured) {
    return measured.stream().filter(m -> Double.isFinite(m.perplexity()))
        .min(java.util.Comparator.comparingDouble(Measured::perplexity))
        .orElseThrow(() -> new FailedCheckException(model + ": every candidate plan gives a NaN or infinite"
            + " perplexity (" + measured.size() + " tried); the fused models are broken"));
  }

  /** Perplexity of {@code onnx} on {@code windows}: every position but the last predicts the next token. */
  public static double perplexity(Path onnx, CalibrationWindows windows, int threads) throws OrtException {
    long[][] w = windows.ids();
    int len = w[0].length;
    long[] flat = new long[w.length * (windows.bosFirst() ? len - 1 : len)];
    int off = 0;
    for (long[] row : w) {
      int from = windows.bosFirst() ? 1 : 0;
      System.arraycopy(row, from, flat, off, len - from);
      off += len - from;
    }
    try (OrtCausalLm lm = OrtCausalLm.open(onnx, threads)) {
      Perplexity.Result r = windows.bosFirst()
          ? Perplexity.withBos(lm, flat, w[0][0], len - 1, w.length)
          : Perplexity.ofWindows(lm, flat, len, w.length);
      return r.perplexity();
    }
  }

}

package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.graph.analysis.BranchKind;
import org.ffnfuse.graph.analysis.BranchOutput;

/**
 * Streams calibration windows through an {@link AnalysisModel} in batches and accumulates the dependency statistics.
 *
 * <p>For each batch: one intact pass (all gates 1) whose branch outputs, logits and stream profile are kept for that
 * batch only; then one pass per skipped block (both of its gates 0: block matrix and block KL), one per skipped FFN
 * (FFN matrix and FFN KL) and one per removed attention (attention KL). So the block matrix costs {@code n + 1}
 * passes per batch and block + FFN matrices {@code 2n + 1} (every block having an FFN), not {@code n²}: block i
 * skipped changes every later block j at once, and each pass compares all of them with the intact pass.
 *
 * <p>Which tokens count: with BOS first, the BOS position is left out of the hidden-state statistics (matrices and
 * profiles; its states are outliers every window shares) but kept for the KL divergences, which average over every
 * position's next-token distribution. The stream entering a branch is the embedding plus the branch outputs before it
 * (in a parallel-residual block both branches read the block's input); {@link
 * org.ffnfuse.graph.analysis.AnalysisGraph} checks that this sum is the stream.
 */
public final class CalibrationRunner {
  private CalibrationRunner() {}

  /** Gate settings per batch for {@code options} on {@code model}. */
  public static int passesPerBatch(AnalysisModel model, CalibrationOptions options) {
    int n = model.blocks();
    int p = 1;
    if (options.blockMatrix()) {
      p += n;
    }
    for (int i = 0; i < n; i++) {
      if (options.ffnMatrix() && model.has(i, BranchKind.FFN)) {
        p++;
      }
      if (options.attentionKl() && model.has(i, BranchKind.ATTENTION)) {
        p++;
      }
    }
    return p;
  }

  /** Batches {@code windows} windows make. */
  public static int batches(int windows, CalibrationOptions options) {
    return (windows + options.batch() - 1) / options.batch();
  }

  /**
   * Runs the calibration.
   *
   * @param modelName how to name the model in the result
   * @param windows token windows of equal length
   * @param bosFirst whether each window starts with BOS (its position is left out of hidden-state statistics)
   * @param progress called with the number of passes done after each pass
   */
  public static AnalysisResult run(String modelName, AnalysisModel model, long[][] windows, boolean bosFirst,
      CalibrationOptions options, LongConsumer progress) throws OrtException {
    checkArgument(windows.length > 0, "no calibration windows");
    int len = windows[0].length;
    int skip = bosFirst ? 1 : 0;
    checkArgument(len > skip + 1, "windows of %s tokens are too short", len);
    long start = System.nanoTime();
    long passesBefore = model.passes();
    Accumulators acc = new Accumulators(model);
    int batches = batches(windows.length, options);
    for (int b = 0; b < batches; b++) {
      long[][] ids = Arrays.copyOfRange(windows, b * options.batch(),
          Math.min(windows.length, (b + 1) * options.batch()));
      batch(model, ids, skip, options, acc, () -> progress.accept(model.passes() - passesBefore));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long total = model.passes() - passesBefore;
    int n = model.blocks();
    List<Boolean> attn = new ArrayList<>();
    List<Boolean> ffn = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      attn.add(model.has(i, BranchKind.ATTENTION));
      ffn.add(model.has(i, BranchKind.FFN));
    }
    return new AnalysisResult(modelName, attn, ffn,
        options.blockMatrix() ? java.util.Optional.of(acc.matrix(acc.blockSum, i -> true))
            : java.util.Optional.empty(),
        options.ffnMatrix() ? java.util.Optional.of(acc.matrix(acc.ffnSum, ffn::get)) : java.util.Optional.empty(),
        acc.profiles(), acc.kl(acc.attnKl, options.attentionKl(), i -> model.has(i, BranchKind.ATTENTION)),
        acc.kl(acc.blockKl, options.blockMatrix(), i -> true),
        acc.kl(acc.ffnKl, options.ffnMatrix(), i -> model.has(i, BranchKind.FFN)),
        new PassCount(passesPerBatch(model, options), batches, total), (long) windows.length * len,
        acc.statTokens, windows.length, len, seconds, Double.NaN);
  }

  private static void batch(AnalysisModel m, long[][] ids, int skip, CalibrationOptions o, Accumulators acc,
      Runnable tick) throws OrtException {
    int n = m.blocks();
    List<BranchOutput> all = m.graph().branches();
    AnalysisModel.Outputs intact = m.run(ids, m.intactGates(), true, all, true);
    tick.run();
    int bt = intact.batch() * intact.tokens();
    int vocab = intact.logits().length / bt;
    int hidden = intact.embedding().length / bt;
    double[] logP = TokenStats.logSoftmaxRows(intact.logits(), vocab);
    float[][] contribution = new float[n][];
    for (int j = 0; j < n; j++) {
      contribution[j] = contribution(intact, m, j, bt * hidden);
    }
    acc.profile(m, intact, skip, hidden);
    long stat = (long) intact.batch() * (intact.tokens() - skip);
    acc.statTokens += stat;
    acc.klTokens += bt;
    if (o.blockMatrix()) {
      for (int i = 0; i < n; i++) {
        float[] g = m.intactGates();
        g[BranchKind.ATTENTION.gateIndex(i)] = 0;
        g[BranchKind.FFN.gateIndex(i)] = 0;
        final int fi = i;
        List<BranchOutput> later = all.stream().filter(x -> x.block() > fi).toList();
        AnalysisModel.Outputs out = m.run(ids, g, true, later, false);
        tick.run();
        acc.blockKl[i] += TokenStats.klSum(logP, out.logits(), vocab);
        for (int j = i + 1; j < n; j++) {
          acc.blockSum[i][j] += TokenStats.cosineDistanceSum(contribution[j], contribution(out, m, j, bt * hidden),
              out.batch(), out.tokens(), hidden, skip);
        }
      }
    }
    if (o.ffnMatrix()) {
      for (int i = 0; i < n; i++) {
        if (!m.has(i, BranchKind.FFN)) {
          continue;
        }
        float[] g = m.intactGates();
        g[BranchKind.FFN.gateIndex(i)] = 0;
        final int fi = i;
        List<BranchOutput> later = all.stream().filter(x -> x.block() > fi && x.kind() == BranchKind.FFN).toList();
        AnalysisModel.Outputs out = m.run(ids, g, true, later, false);
        tick.run();
        acc.ffnKl[i] += TokenStats.klSum(logP, out.logits(), vocab);
        for (BranchOutput x : later) {
          acc.ffnSum[i][x.block()] += TokenStats.cosineDistanceSum(intact.branches().get(x.output()),
              out.branches().get(x.output()), out.batch(), out.tokens(), hidden, skip);
        }
      }
    }
    if (o.attentionKl()) {
      for (int i = 0; i < n; i++) {
        if (!m.has(i, BranchKind.ATTENTION)) {
          continue;
        }
        float[] g = m.intactGates();
        g[BranchKind.ATTENTION.gateIndex(i)] = 0;
        AnalysisModel.Outputs out = m.run(ids, g, true, List.of(), false);
        tick.run();
        acc.attnKl[i] += TokenStats.klSum(logP, out.logits(), vocab);
      }
    }
  }

  /** Block {@code j}'s contribution (sum of its branch outputs) in {@code out}; zeros if it has no branch. */
  private static float[] contribution(AnalysisModel.Outputs out, AnalysisModel m, int j, int size) {
    float[] c = null;
    for (BranchKind k : BranchKind.values()) {
      if (m.has(j, k)) {
        float[] b = out.branches().get(BranchOutput.outputName(j, k));
        if (c == null) {
          c = b.clone();
        } else {
          for (int x = 0; x < c.length; x++) {
            c[x] += b[x];
          }
        }
      }
    }
    return c == null ? new float[size] : c;
  }

  /**
   * Wall time of one plain forward pass of {@code onnx} over {@code windows} in batches of {@code batch}
   * (seconds), for comparison with the analysis time.
   */
  public static double timePlainForward(Path onnx, long[][] windows, int batch, int threads) throws OrtException {
    try (OrtCausalLm lm = OrtCausalLm.open(onnx, threads)) {
      long start = System.nanoTime();
      for (int b = 0; b * batch < windows.length; b++) {
        lm.logits(Arrays.copyOfRange(windows, b * batch, Math.min(windows.length, (b + 1) * batch)));
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /** Running sums over batches. */
  private static final class Accumulators {
    final int n;
    final double[][] blockSum;
    final double[][] ffnSum;
    final double[] blockKl;
    final double[] ffnKl;
    final double[] attnKl;
    final double[] cos;
    final double[] ratio;
    long statTokens;
    long klTokens;
    private final AnalysisModel model;

    Accumulators(AnalysisModel m) {
      model = m;
      n = m.blocks();
      blockSum = new double[n][n];
      ffnSum = new double[n][n];
      blockKl = new double[n];
      ffnKl = new double[n];
      attnKl = new double[n];
      cos = new double[2 * n];
      ratio = new double[2 * n];
    }

    void profile(AnalysisModel m, AnalysisModel.Outputs intact, int skip, int hidden) {
      float[] stream = intact.embedding().clone();
      for (int j = 0; j < n; j++) {
        float[] blockInput = m.parallelResidual(j) ? stream.clone() : stream;
        for (BranchKind k : BranchKind.values()) {
          if (!m.has(j, k)) {
            continue;
          }
          float[] h = intact.branches().get(BranchOutput.outputName(j, k));
          float[] x = k == BranchKind.FFN && m.parallelResidual(j) ? blockInput : stream;
          accumulateProfile(x, h, intact.batch(), intact.tokens(), hidden, skip, k.gateIndex(j));
          for (int e = 0; e < stream.length; e++) {
            stream[e] += h[e];
          }
        }
      }
    }

    private void accumulateProfile(float[] x, float[] h, int batch, int tokens, int width, int skip, int slot) {
      for (int w = 0; w < batch; w++) {
        for (int t = skip; t < tokens; t++) {
          int o = (w * tokens + t) * width;
          double xx = 0;
          double hh = 0;
          double xy = 0;
          double yy = 0;
          for (int k = 0; k < width; k++) {
            double a = x[o + k];
            double y = a + h[o + k];
            xx += a * a;
            hh += (double) h[o + k] * h[o + k];
            xy += a * y;
            yy += y * y;
          }
          cos[slot] += 1 - TokenStats.cosineDistance(xy, xx, yy);
          ratio[slot] += xx == 0 ? 0 : Math.sqrt(hh / xx);
        }
      }
    }

    BlockMatrix matrix(double[][] sums, java.util.function.IntPredicate has) {
      double[][] m = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          m[i][j] = i < j && has.test(i) && has.test(j) ? sums[i][j] / statTokens : Double.NaN;
        }
      }
      return BlockMatrix.of(m);
    }

    SortedMap<Integer, Double> kl(double[] sums, boolean ran, java.util.function.IntPredicate measured) {
      SortedMap<Integer, Double> out = new TreeMap<>();
      for (int i = 0; ran && i < n; i++) {
        if (measured.test(i)) {
          out.put(i, sums[i] / klTokens);
        }
      }
      return out;
    }

    List<BranchProfile> profiles() {
      List<BranchProfile> out = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        for (BranchKind k : BranchKind.values()) {
          if (model.has(j, k)) {
            int s = k.gateIndex(j);
            out.add(new BranchProfile(j, k, cos[s] / statTokens, ratio[s] / statTokens));
          }
        }
      }
      return out;
    }
  }
}

package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * The closed-form repair ({@code --method lstsq}): re-fits the fused block's down projection by ridge regression on
 * the intermediate activations, with no training.
 *
 * <p>With {@code a = act(gate·u) ⊙ up·u} computed from the fused weights and the target {@code r = y − x − bd} (the
 * chain's total contribution), it solves {@code W = argmin Σ‖W·a − r‖² + λ‖W − W₀‖²} through the normal equations
 * {@code (AᵀA + λI) Wᵀ = AᵀR + λW₀ᵀ} (Cholesky, double). The anchor {@code W₀} is the fused down projection, or — when
 * it fits the held-out tokens better — the fused projection with one least-squares scale per member FFN's slice of the
 * width ("branch scales", a {@code k × k} system). {@code λ} is chosen on held-out tokens from a grid relative to the
 * mean diagonal of {@code AᵀA}; if no candidate beats the anchor there, the anchor is kept.
 *
 * <p>Memory: the Gram matrix and its factor take {@code 2 · width² · 8} bytes (3584 wide: 205 MB; 28672 wide: 13 GB);
 * past {@link Options#budgetBytes()} the fit is refused before any work.
 */
public final class LeastSquaresHealer {
  private static final Logger LOG = Logger.getLogger(LeastSquaresHealer.class.getName());
  private static final int BATCH = 256;

  private LeastSquaresHealer() {}

  /**
   * How to fit.
   *
   * @param budgetBytes the most memory the normal equations may take ({@code 2 · width² · 8} bytes)
   * @param lambdas ridge strengths to try, relative to the mean diagonal of {@code AᵀA}
   * @param branchScales whether to try per-member scales as the ridge anchor
   */
  public record Options(long budgetBytes, List<Double> lambdas, boolean branchScales) {
    public Options {
      checkArgument(budgetBytes > 0, "budget %s", budgetBytes);
      lambdas = List.copyOf(lambdas);
      checkArgument(!lambdas.isEmpty() && lambdas.stream().allMatch(l -> l > 0), "lambdas must be positive: %s",
          lambdas);
    }

    /** 4 GiB budget, λ ∈ {1e-3, 1e-2, 1e-1, 1} (one Cholesky factorization each), branch scales tried. */
    public static Options defaults() {
      return new Options(4L << 30, List.of(1e-3, 1e-2, 1e-1, 1.0), true);
    }

    public Options withBudgetBytes(long bytes) {
      return new Options(bytes, lambdas, branchScales);
    }
  }

  /**
   * The outcome.
   *
   * @param healed the block with its new down projection (or the anchor, if nothing beat it)
   * @param heldOutBefore relative error of the fused block on the held-out tokens
   * @param heldOutAfter relative error of the healed block there
   * @param choice what was kept, e.g. {@code ridge λ=1e-3 on branch scales}
   */
  public record Result(FusedBlockParameters healed, double heldOutBefore, double heldOutAfter, String choice) {}

  /** Bytes the normal equations of a block {@code width} wide take. */
  public static long memoryBytes(long width) {
    return 2 * width * width * 8;
  }

  /**
   * Fits {@code p}'s down projection to {@code train}, choosing on {@code heldOut}.
   *
   * @throws IllegalArgumentException if the normal equations would exceed the budget (message says how much is
   *     needed and what to do) or the samples do not match the block's hidden size
   */
  public static Result fit(FusedBlockParameters p, ChainSamples train, ChainSamples heldOut, Options options) {
    checkNotNull(p);
    checkArgument(train.hidden() == p.hidden() && heldOut.hidden() == p.hidden(), "samples of hidden %s/%s for a"
        + " block of hidden %s", train.hidden(), heldOut.hidden(), p.hidden());
    checkArgument(train.count() > 0 && heldOut.count() > 0, "need training and held-out tokens (%s, %s)",
        train.count(), heldOut.count());
    int w = p.width();
    int h = p.hidden();
    long need = memoryBytes(w);
    checkArgument(w <= Cholesky.MAX_N && need <= options.budgetBytes(), "lstsq on a fused FFN %s wide needs %s MiB"
        + " for its normal equations (2·width²·8 bytes), over the budget of %s MiB; use --method distill, or raise the"
        + " budget (--lstsq-budget-mib) and -Xmx", w, need >> 20, options.budgetBytes() >> 20);

    FfnKernel k0 = new FfnKernel(p);
    float[] aHeld = k0.activations(heldOut.xArray(), 0, heldOut.count());
    float[] down0T = FusedBlockParameters.transpose(p.downArray(), h, w);
    double before = heldOutError(k0, heldOut, aHeld, down0T);

    List<Long> members = p.memberWidths();
    int kCount = options.branchScales() && members.size() >= 2 ? members.size() : 0;
    int[] slice = sliceStarts(members, kCount);
    double[] gram = new double[w * w];
    double[] rhs = new double[w * h];
    double[] scaleGram = new double[kCount * kCount];
    double[] scaleRhs = new double[kCount];
    float[] bd = p.downBiasArray().orElse(new float[h]);
    long start = System.nanoTime();
    for (int t0 = 0; t0 < train.count(); t0 += BATCH) {
      int m = Math.min(BATCH, train.count() - t0);
      float[] a = k0.activations(train.xArray(), t0, m);
      double[] r = new double[m * h];
      for (int i = 0; i < m * h; i++) {
        int at = t0 * h + i;
        r[i] = (double) train.yArray()[at] - train.xArray()[at] - bd[i % h];
      }
      double[] ad = new double[m * w];
      for (int i = 0; i < ad.length; i++) {
        ad[i] = a[i];
      }
      Cholesky.accumulateGram(gram, w, ad, m);
      accumulateRhs(rhs, w, h, ad, r, m);
      if (kCount > 0) {
        accumulateScales(scaleGram, scaleRhs, slice, down0T, a, r, m, w, h);
      }
    }

    LOG.fine(() -> String.format(Locale.ROOT, "normal equations of %d tokens, width %d: %.1f s", train.count(), w,
        (System.nanoTime() - start) / 1e9));
    String anchorName = "fused";
    float[] anchorT = down0T;
    double best = before;
    if (kCount > 0) {
      double[] s = solveSmall(scaleGram, scaleRhs, kCount);
      float[] scaledT = down0T.clone();
      for (int k = 0; k < kCount; k++) {
        for (int j = slice[k]; j < slice[k + 1]; j++) {
          for (int c = 0; c < h; c++) {
            scaledT[j * h + c] *= (float) s[k];
          }
        }
      }
      double e = heldOutError(k0, heldOut, aHeld, scaledT);
      LOG.fine(() -> String.format(Locale.ROOT, "branch scales %s: held-out %.5f (fused %.5f)",
          java.util.Arrays.toString(s), e, before));
      if (e < best) {
        best = e;
        anchorT = scaledT;
        anchorName = "branch scales";
      }
    }
    String choice = anchorName;
    float[] bestT = anchorT;
    double meanDiag = 0;
    for (int j = 0; j < w; j++) {
      meanDiag += gram[j * w + j];
    }
    meanDiag /= w;
    double[] factor = new double[w * w];
    for (double rel : options.lambdas()) {
      double lambda = rel * meanDiag;
      for (int i = 0; i < w; i++) {
        System.arraycopy(gram, i * w, factor, i * w, i + 1);
        factor[i * w + i] += lambda;
      }
      double[] x = new double[w * h];
      for (int i = 0; i < x.length; i++) {
        x[i] = rhs[i] + lambda * anchorT[i];
      }
      long f0 = System.nanoTime();
      try {
        Cholesky.factor(factor, w);
      } catch (ArithmeticException e) {
        LOG.fine(() -> "ridge λ=" + rel + ": " + e.getMessage());
        continue;
      }
      Cholesky.solve(factor, w, x, h);
      float[] candidate = new float[w * h];
      for (int i = 0; i < candidate.length; i++) {
        candidate[i] = (float) x[i];
      }
      double e = heldOutError(k0, heldOut, aHeld, candidate);
      LOG.fine(() -> String.format(Locale.ROOT, "ridge λ=%g: held-out %.5f (%.1f s)", rel, e,
          (System.nanoTime() - f0) / 1e9));
      if (e < best) {
        best = e;
        bestT = candidate;
        choice = String.format(Locale.ROOT, "ridge λ=%g toward %s", rel, anchorName);
      }
    }
    FusedBlockParameters healed = p.withDown(FusedBlockParameters.transpose(bestT, w, h));
    return new Result(healed, before, best, choice);
  }

  private static double heldOutError(FfnKernel k, ChainSamples s, float[] a, float[] downT) {
    float[] f = k.project(a, s.count(), downT);
    return FfnKernel.residualEnergy(s, 0, s.count(), f) / s.contributionEnergy();
  }

  /** {@code rhs[j][c] += Σ_t a[t][j] · r[t][c]}. */
  private static void accumulateRhs(double[] rhs, int w, int h, double[] a, double[] r, int m) {
    int blocks = (w + 127) / 128;
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int j1 = Math.min(w, (b + 1) * 128);
      for (int t = 0; t < m; t++) {
        for (int j = b * 128; j < j1; j++) {
          double aj = a[t * w + j];
          if (aj == 0) {
            continue;
          }
          int ro = j * h;
          int to = t * h;
          for (int c = 0; c < h; c++) {
            rhs[ro + c] = Math.fma(aj, r[to + c], rhs[ro + c]);
          }
        }
      }
    });
  }

  /**
   * Per member k, its output {@code f_k = down_k · a_k}; accumulates {@code Σ f_k·f_l} and {@code Σ f_k·r}. Tokens
   * are split into parallel chunks whose partial sums are added at the end.
   */
  private static void accumulateScales(double[] g, double[] v, int[] slice, float[] downT, float[] a, double[] r,
      int m, int w, int h) {
    int kc = v.length;
    int chunk = 32;
    int tasks = (m + chunk - 1) / chunk;
    double[][] parts = IntStream.range(0, tasks).parallel().mapToObj(task -> {
      double[] part = new double[kc * kc + kc];
      double[][] f = new double[kc][h];
      for (int t = task * chunk; t < Math.min(m, (task + 1) * chunk); t++) {
        for (int k = 0; k < kc; k++) {
          java.util.Arrays.fill(f[k], 0);
          for (int j = slice[k]; j < slice[k + 1]; j++) {
            double aj = a[t * w + j];
            int o = j * h;
            for (int c = 0; c < h; c++) {
              f[k][c] = Math.fma(aj, downT[o + c], f[k][c]);
            }
          }
        }
        for (int k = 0; k < kc; k++) {
          for (int l = 0; l <= k; l++) {
            double s = 0;
            for (int c = 0; c < h; c++) {
              s += f[k][c] * f[l][c];
            }
            part[k * kc + l] += s;
          }
          double s = 0;
          for (int c = 0; c < h; c++) {
            s += f[k][c] * r[t * h + c];
          }
          part[kc * kc + k] += s;
        }
      }
      return part;
    }).toArray(double[][]::new);
    for (double[] part : parts) {
      for (int i = 0; i < kc * kc; i++) {
        g[i] += part[i];
      }
      for (int k = 0; k < kc; k++) {
        v[k] += part[kc * kc + k];
      }
    }
  }

  /** Solves the small {@code k × k} system (lower triangle given) with a tiny ridge for safety. */
  private static double[] solveSmall(double[] g, double[] v, int k) {
    double[] m = g.clone();
    double trace = 0;
    for (int i = 0; i < k; i++) {
      trace += m[i * k + i];
    }
    for (int i = 0; i < k; i++) {
      m[i * k + i] += 1e-9 * trace / k;
    }
    double[] x = v.clone();
    Cholesky.factor(m, k);
    Cholesky.solve(m, k, x, 1);
    return x;
  }

  /** Start of each member's slice, plus the end: {@code k + 1} entries. */
  private static int[] sliceStarts(List<Long> members, int k) {
    int[] s = new int[k + 1];
    for (int i = 0; i < k; i++) {
      s[i + 1] = s[i] + Math.toIntExact(members.get(i));
    }
    return s;
  }
}

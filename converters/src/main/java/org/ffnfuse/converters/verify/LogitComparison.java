package org.ffnfuse.converters.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates next-token statistics of an original and a fused model over the same windows: both models' negative
 * log-likelihood, KL(original‖fused) of the next-token distributions, top-1 agreement, and |logit| differences.
 * Everything is computed in double from fp32 logits. The first NaN or infinite logit of each model is remembered
 * (NaN then propagates into the statistics, which is what the gates must see).
 */
final class LogitComparison {
  private final List<NonFiniteLogit> nonFinite = new ArrayList<>();
  private double nllOriginal;
  private double nllFused;
  private double kl;
  private long agree;
  private long predictions;
  private double maxAbs;
  private double sumAbs;
  private long logits;

  /**
   * Adds window number {@code window}: {@code a} and {@code b} are {@code [T][V]} logits of the window {@code ids},
   * with the same V.
   */
  void add(int window, long[] ids, float[][] a, float[][] b) {
    remember(ModelRole.ORIGINAL, window, a);
    remember(ModelRole.FUSED, window, b);
    for (int t = 0; t + 1 < ids.length; t++) {
      int target = (int) ids[t + 1];
      double[] la = logSoftmax(a[t]);
      double[] lb = logSoftmax(b[t]);
      nllOriginal -= la[target];
      nllFused -= lb[target];
      double k = 0;
      int argA = 0;
      int argB = 0;
      for (int v = 0; v < la.length; v++) {
        k += Math.exp(la[v]) * (la[v] - lb[v]);
        if (a[t][v] > a[t][argA]) {
          argA = v;
        }
        if (b[t][v] > b[t][argB]) {
          argB = v;
        }
      }
      kl += Math.max(0, k);
      agree += argA == argB ? 1 : 0;
      predictions++;
    }
    for (int t = 0; t < ids.length; t++) {
      for (int v = 0; v < a[t].length; v++) {
        double d = Math.abs((double) a[t][v] - b[t][v]);
        maxAbs = Math.max(maxAbs, d);
        sumAbs += d;
        logits++;
      }
    }
  }

  private void remember(ModelRole model, int window, float[][] logits) {
    if (nonFinite.stream().noneMatch(n -> n.model() == model)) {
      NonFiniteLogit.find(model, window, logits).ifPresent(nonFinite::add);
    }
  }

  static double[] logSoftmax(float[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : x) {
      sum += Math.exp(v - max);
    }
    double lse = max + Math.log(sum);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] - lse;
    }
    return out;
  }

  double perplexityOriginal() {
    return Math.exp(nllOriginal / predictions);
  }

  double perplexityFused() {
    return Math.exp(nllFused / predictions);
  }

  double meanKl() {
    return kl / predictions;
  }

  double top1() {
    return (double) agree / predictions;
  }

  double maxAbs() {
    return maxAbs;
  }

  double meanAbs() {
    return sumAbs / logits;
  }

  /** The first non-finite logit of each model that produced one, in the order found. */
  List<NonFiniteLogit> nonFinite() {
    return List.copyOf(nonFinite);
  }

  long predictions() {
    return predictions;
  }
}

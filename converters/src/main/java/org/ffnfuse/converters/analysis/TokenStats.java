package org.ffnfuse.converters.analysis;

/**
 * Per-token vector statistics over flat {@code [batch·tokens·width]} arrays, in double precision.
 */
final class TokenStats {
  private TokenStats() {}

  /**
   * Sum over tokens {@code t ≥ skip} of every window of the cosine distance {@code 1 − cos(a_t, b_t)}. Two zero
   * vectors are at distance 0 (nothing changed); a zero and a non-zero vector at distance 1.
   */
  static double cosineDistanceSum(float[] a, float[] b, int batch, int tokens, int width, int skip) {
    double sum = 0;
    for (int w = 0; w < batch; w++) {
      for (int t = skip; t < tokens; t++) {
        int o = (w * tokens + t) * width;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int k = 0; k < width; k++) {
          double x = a[o + k];
          double y = b[o + k];
          ab += x * y;
          aa += x * x;
          bb += y * y;
        }
        sum += cosineDistance(ab, aa, bb);
      }
    }
    return sum;
  }

  static double cosineDistance(double ab, double aa, double bb) {
    if (aa == 0 && bb == 0) {
      return 0;
    }
    if (aa == 0 || bb == 0) {
      return 1;
    }
    double c = ab / Math.sqrt(aa * bb);
    return 1 - Math.max(-1, Math.min(1, c));
  }

  /** {@code log softmax} of each {@code vocab}-row of {@code logits}, in double. */
  static double[] logSoftmaxRows(float[] logits, int vocab) {
    double[] out = new double[logits.length];
    for (int o = 0; o < logits.length; o += vocab) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < vocab; k++) {
        max = Math.max(max, logits[o + k]);
      }
      double s = 0;
      for (int k = 0; k < vocab; k++) {
        s += Math.exp(logits[o + k] - max);
      }
      double lse = max + Math.log(s);
      for (int k = 0; k < vocab; k++) {
        out[o + k] = logits[o + k] - lse;
      }
    }
    return out;
  }

  /** Sum over rows of {@code KL(p ‖ q)} with {@code p = exp(logP)} and {@code q = softmax(logitsQ)}. */
  static double klSum(double[] logP, float[] logitsQ, int vocab) {
    double sum = 0;
    for (int o = 0; o < logP.length; o += vocab) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < vocab; k++) {
        max = Math.max(max, logitsQ[o + k]);
      }
      double s = 0;
      for (int k = 0; k < vocab; k++) {
        s += Math.exp(logitsQ[o + k] - max);
      }
      double lse = max + Math.log(s);
      double kl = 0;
      for (int k = 0; k < vocab; k++) {
        double lp = logP[o + k];
        kl += Math.exp(lp) * (lp - (logitsQ[o + k] - lse));
      }
      sum += Math.max(0, kl);
    }
    return sum;
  }
}

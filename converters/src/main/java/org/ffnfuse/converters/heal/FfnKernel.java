package org.ffnfuse.converters.heal;

import java.util.stream.IntStream;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;

/**
 * The fused block's forward pass on the CPU in fp32, for fitting and measuring: the norm, the intermediate
 * activations {@code a = act(gate·u + bg) ⊙ (up·u + bu)} and the down projection. Weights are held transposed
 * ({@code [hidden, width]} and {@code [width, hidden]}) so every inner loop is a contiguous multiply-add that the JIT
 * vectorizes. Work over tokens is split across the common fork-join pool.
 */
final class FfnKernel {
  /** Tokens per parallel task. */
  static final int CHUNK = 64;

  private final FusedBlockParameters p;
  private final int hidden;
  private final int width;
  private final float[] gateT;
  private final float[] upT;
  private final float[] downT;
  private final float[] gain;
  private final float[] normBias;
  private final float[] gateBias;
  private final float[] upBias;
  private final float[] downBias;

  FfnKernel(FusedBlockParameters p) {
    this.p = p;
    this.hidden = p.hidden();
    this.width = p.width();
    this.gateT = p.gateArray().map(g -> FusedBlockParameters.transpose(g, width, hidden)).orElse(null);
    this.upT = FusedBlockParameters.transpose(p.upArray(), width, hidden);
    this.downT = FusedBlockParameters.transpose(p.downArray(), hidden, width);
    this.gain = p.normGainArray();
    this.normBias = p.normBiasArray().orElse(null);
    this.gateBias = p.gateBiasArray().orElse(null);
    this.upBias = p.upBiasArray().orElse(null);
    this.downBias = p.downBiasArray().orElse(null);
  }

  FusedBlockParameters parameters() {
    return p;
  }

  int width() {
    return width;
  }

  int hidden() {
    return hidden;
  }

  /** The normalized input {@code u} of {@code n} tokens of {@code x} starting at token {@code from}. */
  float[] normalize(float[] x, int from, int n) {
    float[] u = new float[n * hidden];
    for (int t = 0; t < n; t++) {
      int xo = (from + t) * hidden;
      int uo = t * hidden;
      double mean = 0;
      if (p.normKind() == NormKind.LAYER_NORM) {
        for (int i = 0; i < hidden; i++) {
          mean += x[xo + i];
        }
        mean /= hidden;
      }
      double sq = 0;
      for (int i = 0; i < hidden; i++) {
        double d = x[xo + i] - mean;
        sq += d * d;
      }
      double inv = 1.0 / Math.sqrt(sq / hidden + p.eps());
      for (int i = 0; i < hidden; i++) {
        u[uo + i] = (float) ((x[xo + i] - mean) * inv) * gain[i] + (normBias == null ? 0f : normBias[i]);
      }
    }
    return u;
  }

  /** Intermediate activations {@code [n, width]} of {@code n} tokens of {@code x} from token {@code from}. */
  float[] activations(float[] x, int from, int n) {
    float[] a = new float[n * width];
    int chunks = (n + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks).parallel().forEach(c -> {
      int t0 = c * CHUNK;
      int m = Math.min(CHUNK, n - t0);
      float[] u = normalize(x, from + t0, m);
      float[] g = new float[width];
      for (int t = 0; t < m; t++) {
        int ao = (t0 + t) * width;
        if (gateT != null) {
          java.util.Arrays.fill(g, 0f);
          multiplyRow(u, t * hidden, gateT, g, 0);
        }
        multiplyRow(u, t * hidden, upT, a, ao);
        for (int j = 0; j < width; j++) {
          float up = a[ao + j] + (upBias == null ? 0f : upBias[j]);
          if (gateT != null) {
            float gv = g[j] + (gateBias == null ? 0f : gateBias[j]);
            a[ao + j] = act(gv) * up;
          } else {
            a[ao + j] = act(up);
          }
        }
      }
    });
    return a;
  }

  /** {@code dst[do + j] += Σ_k u[uo + k] · wT[k·width + j]} for one token. */
  private void multiplyRow(float[] u, int uo, float[] wT, float[] dst, int dstOff) {
    for (int k = 0; k < hidden; k++) {
      float uk = u[uo + k];
      if (uk == 0f) {
        continue;
      }
      int wo = k * width;
      for (int j = 0; j < width; j++) {
        dst[dstOff + j] = Math.fma(uk, wT[wo + j], dst[dstOff + j]);
      }
    }
  }

  private float act(float v) {
    Activation a = p.activation();
    if (a == Activation.SILU) {
      return (float) (v / (1 + Math.exp(-v)));
    }
    return (float) a.apply(v);
  }

  /** {@code F(x)} of {@code n} tokens from {@code from}: {@code [n, hidden]}. */
  float[] forward(float[] x, int from, int n) {
    return project(activations(x, from, n), n, downT);
  }

  /** {@code a·downᵀ + bd} for {@code n} tokens of activations, with {@code downT} {@code [width, hidden]}. */
  float[] project(float[] a, int n, float[] downTransposed) {
    float[] out = new float[n * hidden];
    int chunks = (n + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks).parallel().forEach(c -> {
      int t0 = c * CHUNK;
      int m = Math.min(CHUNK, n - t0);
      for (int t = t0; t < t0 + m; t++) {
        int oo = t * hidden;
        int ao = t * width;
        for (int j = 0; j < width; j++) {
          float aj = a[ao + j];
          if (aj == 0f) {
            continue;
          }
          int wo = j * hidden;
          for (int i = 0; i < hidden; i++) {
            out[oo + i] = Math.fma(aj, downTransposed[wo + i], out[oo + i]);
          }
        }
        if (downBias != null) {
          for (int i = 0; i < hidden; i++) {
            out[oo + i] += downBias[i];
          }
        }
      }
    });
    return out;
  }

  /**
   * {@code Σ‖y − x − F(x)‖² / Σ‖y − x‖²} over {@code s}: how much of the chain's contribution the block misses
   * (0 = exact, 1 = as bad as contributing nothing).
   */
  double relativeError(ChainSamples s) {
    double err = 0;
    int step = 1024;
    for (int t0 = 0; t0 < s.count(); t0 += step) {
      int m = Math.min(step, s.count() - t0);
      float[] f = forward(s.xArray(), t0, m);
      err += residualEnergy(s, t0, m, f);
    }
    return err / s.contributionEnergy();
  }

  /** {@code Σ‖y − x − f‖²} over {@code m} tokens from {@code t0}. */
  static double residualEnergy(ChainSamples s, int t0, int m, float[] f) {
    int h = s.hidden();
    float[] x = s.xArray();
    float[] y = s.yArray();
    double e = 0;
    for (int i = 0; i < m * h; i++) {
      double d = (double) y[t0 * h + i] - x[t0 * h + i] - f[i];
      e += d * d;
    }
    return e;
  }
}

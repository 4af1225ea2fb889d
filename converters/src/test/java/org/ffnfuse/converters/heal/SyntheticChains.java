package org.ffnfuse.converters.heal;

import java.util.List;
import java.util.Random;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;

/** Tiny chains built in code (seeded) for the healing tests. */
final class SyntheticChains {
  private SyntheticChains() {}

  static float[] gaussian(Random r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }

  static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }

  /** A gated SiLU block, RMSNorm with unit gain; widths {@code members} concatenated. */
  static FusedBlockParameters block(Random r, int hidden, List<Long> members) {
    int w = (int) members.stream().mapToLong(Long::longValue).sum();
    return FusedBlockParameters.of(Activation.SILU, NormKind.RMS_NORM, 1e-5, ones(hidden),
        gaussian(r, w * hidden, 1 / Math.sqrt(hidden)), gaussian(r, w * hidden, 1 / Math.sqrt(hidden)),
        gaussian(r, hidden * w, 1 / Math.sqrt(w)), members);
  }

  /** {@code n} tokens of {@code x} (Gaussian) and {@code y = x + F(x)} for {@code f}. */
  static ChainSamples samplesOf(FusedBlockParameters f, Random r, int n) {
    int h = f.hidden();
    float[] x = gaussian(r, n * h, 1);
    float[] fx = new FfnKernel(f).forward(x, 0, n);
    float[] y = new float[x.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = x[i] + fx[i];
    }
    return ChainSamples.of(h, x, y);
  }

  /**
   * {@code n} tokens through a sequential chain of the member FFNs of {@code f} (each reading the stream its
   * predecessor left): the target the fused (parallel) block only approximates.
   */
  static ChainSamples sequential(FusedBlockParameters f, Random r, int n) {
    int h = f.hidden();
    float[] x = gaussian(r, n * h, 1);
    float[] s = x.clone();
    float[] gate = f.gate().orElseThrow();
    float[] up = f.up();
    float[] down = f.down();
    int w = f.width();
    int start = 0;
    for (long mw : f.memberWidths()) {
      int m = (int) mw;
      float[] g = new float[m * h];
      float[] u = new float[m * h];
      float[] d = new float[h * m];
      System.arraycopy(gate, start * h, g, 0, m * h);
      System.arraycopy(up, start * h, u, 0, m * h);
      for (int row = 0; row < h; row++) {
        System.arraycopy(down, row * w + start, d, row * m, m);
      }
      FusedBlockParameters member = FusedBlockParameters.of(f.activation(), f.normKind(), f.eps(), f.normGain(), g,
          u, d, List.of(mw));
      float[] fx = new FfnKernel(member).forward(s, 0, n);
      for (int i = 0; i < s.length; i++) {
        s[i] += fx[i];
      }
      start += m;
    }
    return ChainSamples.of(h, x, s);
  }
}

package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LeastSquaresHealer#fit} on a sequential chain (the target the parallel form only approximates) against the
 * ridge solution computed here in double, from the samples alone: {@code a = silu(gate·n(x)) ⊙ up·n(x)} with the
 * block's RMSNorm, {@code r = y − x}, {@code W = argmin Σ‖W·a − r‖² + λ‖W − W₀‖²} with {@code λ} the candidate's
 * relative strength times the mean diagonal of {@code AᵀA}, solved by Gaussian elimination. Reading inputs for targets
 * (or the other way round) gives another matrix.
 */
class LeastSquaresRidgeTest {
  private static final int HIDDEN = 6;
  private static final double REL_LAMBDA = 1e-2;

  /** Silu-gated activations {@code [n][w]} of every token, in double. */
  private static double[][] activations(FusedBlockParameters p, float[] x, int n) {
    int h = p.hidden();
    int w = p.width();
    float[] gain = p.normGain();
    float[] gate = p.gate().orElseThrow();
    float[] up = p.up();
    double[][] a = new double[n][w];
    for (int t = 0; t < n; t++) {
      double ms = 0;
      for (int i = 0; i < h; i++) {
        ms += (double) x[t * h + i] * x[t * h + i] / h;
      }
      double inv = 1 / Math.sqrt(ms + p.eps());
      double[] u = new double[h];
      for (int i = 0; i < h; i++) {
        u[i] = x[t * h + i] * inv * gain[i];
      }
      for (int j = 0; j < w; j++) {
        double g = 0;
        double v = 0;
        for (int i = 0; i < h; i++) {
          g += gate[j * h + i] * u[i];
          v += up[j * h + i] * u[i];
        }
        a[t][j] = g / (1 + Math.exp(-g)) * v;
      }
    }
    return a;
  }

  /** The ridge solution {@code W [hidden][width]} toward {@code p}'s own down projection. */
  private static double[][] ridge(FusedBlockParameters p, ChainSamples s) {
    int h = p.hidden();
    int w = p.width();
    float[] x = new float[s.count() * h];
    float[] y = new float[s.count() * h];
    s.x().get(x);
    s.y().get(y);
    double[][] a = activations(p, x, s.count());
    double[][] m = new double[w][w + h]; // [AᵀA + λI | AᵀR + λW₀ᵀ]
    for (int t = 0; t < s.count(); t++) {
      for (int j = 0; j < w; j++) {
        for (int k = 0; k < w; k++) {
          m[j][k] += a[t][j] * a[t][k];
        }
        for (int c = 0; c < h; c++) {
          m[j][w + c] += a[t][j] * ((double) y[t * h + c] - x[t * h + c]);
        }
      }
    }
    double meanDiag = 0;
    for (int j = 0; j < w; j++) {
      meanDiag += m[j][j] / w;
    }
    double lambda = REL_LAMBDA * meanDiag;
    float[] down = p.down();
    for (int j = 0; j < w; j++) {
      m[j][j] += lambda;
      for (int c = 0; c < h; c++) {
        m[j][w + c] += lambda * down[c * w + j];
      }
    }
    solve(m, w);
    double[][] out = new double[h][w];
    for (int j = 0; j < w; j++) {
      for (int c = 0; c < h; c++) {
        out[c][j] = m[j][w + c];
      }
    }
    return out;
  }

  /** Gauss-Jordan elimination with partial pivoting on {@code [M | B]}, leaving {@code M⁻¹B} on the right. */
  private static void solve(double[][] m, int n) {
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        pivot = Math.abs(m[r][col]) > Math.abs(m[pivot][col]) ? r : pivot;
      }
      double[] tmp = m[col];
      m[col] = m[pivot];
      m[pivot] = tmp;
      double d = m[col][col];
      for (int k = 0; k < m[col].length; k++) {
        m[col][k] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r != col && m[r][col] != 0) {
          double f = m[r][col];
          for (int k = 0; k < m[r].length; k++) {
            m[r][k] -= f * m[col][k];
          }
        }
      }
    }
  }

  @Test
  void fit_sequentialChain_equalsTheRidgeSolutionComputedInDouble() {
    Random r = new Random(23);
    FusedBlockParameters fused = SyntheticChains.block(r, HIDDEN, List.of(7L, 5L));
    ChainSamples train = SyntheticChains.sequential(fused, r, 800);
    ChainSamples held = SyntheticChains.sequential(fused, r, 200);
    LeastSquaresHealer.Options one = new LeastSquaresHealer.Options(1L << 30, List.of(REL_LAMBDA), false);

    LeastSquaresHealer.Result res = LeastSquaresHealer.fit(fused, train, held, one);

    assertTrue(res.choice().startsWith("ridge"), "the ridge candidate beats the fused block: " + res.choice());
    double[][] want = ridge(fused, train);
    float[] got = res.healed().down();
    int w = fused.width();
    double scale = 0;
    for (double[] row : want) {
      for (double v : row) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    for (int c = 0; c < HIDDEN; c++) {
      for (int j = 0; j < w; j++) {
        assertEquals(want[c][j], got[c * w + j], 1e-4 * scale, "down[" + c + "][" + j + "]");
      }
    }
  }
}

package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.fusion.FfnWeights;
import org.ffnfuse.graph.fusion.NormParams;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The fused block's CPU forward pass ({@link FusedBlockParameters#contribution}, {@code normalize},
 * {@code relativeError}) against a textbook double-precision reference written here, over blocks read from
 * {@link NormParams} and {@link FfnWeights} in both orientations, with and without gate, biases and gain offset.
 */
class FusedBlockParametersForwardTest {
  static final int HIDDEN = 6;
  static final int WIDTH = 5;

  /** A block as plain double-precision matrices, HF orientation ([width][hidden] gate/up, [hidden][width] down). */
  record Ref(NormKind kind, double eps, double[] gain, double[] beta, Activation act, double[][] gate,
      double[][] up, double[][] down, double[] bg, double[] bu, double[] bd) {
    double[] norm(float[] x, int t) {
      double mean = 0;
      if (kind == NormKind.LAYER_NORM) {
        for (int i = 0; i < HIDDEN; i++) {
          mean += x[t * HIDDEN + i] / (double) HIDDEN;
        }
      }
      double var = 0;
      for (int i = 0; i < HIDDEN; i++) {
        var += Math.pow(x[t * HIDDEN + i] - mean, 2) / HIDDEN;
      }
      double[] u = new double[HIDDEN];
      for (int i = 0; i < HIDDEN; i++) {
        u[i] = (x[t * HIDDEN + i] - mean) / Math.sqrt(var + eps) * gain[i] + (beta == null ? 0 : beta[i]);
      }
      return u;
    }

    double[] forward(float[] x, int t) {
      double[] u = norm(x, t);
      double[] a = new double[WIDTH];
      for (int j = 0; j < WIDTH; j++) {
        double upj = dot(up[j], u) + (bu == null ? 0 : bu[j]);
        a[j] = gate == null ? act.apply(upj) : act.apply(dot(gate[j], u) + (bg == null ? 0 : bg[j])) * upj;
      }
      double[] f = new double[HIDDEN];
      for (int k = 0; k < HIDDEN; k++) {
        f[k] = dot(down[k], a) + (bd == null ? 0 : bd[k]);
      }
      return f;
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[][] matrix(Random r, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int c = 0; c < cols; c++) {
        row[c] = (float) (r.nextGaussian() / Math.sqrt(cols));
      }
    }
    return m;
  }

  static double[] vector(Random r, int n, double mean) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (mean + 0.3 * r.nextGaussian());
    }
    return v;
  }

  /** {@code m} as a float tensor, {@code [rows, cols]} or transposed. */
  static Tensor tensor(double[][] m, boolean transposed) {
    int rows = m.length;
    int cols = m[0].length;
    float[] v = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        v[transposed ? c * rows + r : r * cols + c] = (float) m[r][c];
      }
    }
    return HeapTensor.ofFloats(transposed ? Shape.of(cols, rows) : Shape.of(rows, cols), v);
  }

  static Optional<Tensor> tensor(double[] v) {
    if (v == null) {
      return Optional.empty();
    }
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return Optional.of(HeapTensor.ofFloats(Shape.of(v.length), f));
  }

  /** Reads {@code ref} through NormParams/FfnWeights stored with gain {@code gain − offset}. */
  static FusedBlockParameters read(Ref ref, Orientation o, float offset) throws Exception {
    double[] stored = ref.gain().clone();
    for (int i = 0; i < stored.length; i++) {
      stored[i] -= offset;
    }
    NormParams norm = new NormParams(ref.kind(), ref.eps(), tensor(stored).orElseThrow(), offset,
        tensor(ref.beta()));
    boolean t = o == Orientation.IN_OUT;
    FfnWeights ffn = new FfnWeights(ref.act(), o, Optional.ofNullable(ref.gate()).map(g -> tensor(g, t)),
        tensor(ref.up(), t), tensor(ref.down(), t), tensor(ref.bg()), tensor(ref.bu()), tensor(ref.bd()));
    return FusedBlockParameters.read(norm, ffn, List.of(2L, 3L));
  }

  static Ref gatedRms(Random r) {
    return new Ref(NormKind.RMS_NORM, 1e-5, vector(r, HIDDEN, 1), null, Activation.SILU, matrix(r, WIDTH, HIDDEN),
        matrix(r, WIDTH, HIDDEN), matrix(r, HIDDEN, WIDTH), null, null, null);
  }

  static Ref mlpLayerNorm(Random r) {
    return new Ref(NormKind.LAYER_NORM, 1e-3, vector(r, HIDDEN, 1), vector(r, HIDDEN, 0), Activation.GELU_TANH,
        null, matrix(r, WIDTH, HIDDEN), matrix(r, HIDDEN, WIDTH), null, vector(r, WIDTH, 0), vector(r, HIDDEN, 0));
  }

  static Ref gatedLayerNormWithBiases(Random r) {
    return new Ref(NormKind.LAYER_NORM, 1e-5, vector(r, HIDDEN, 1), vector(r, HIDDEN, 0), Activation.GELU,
        matrix(r, WIDTH, HIDDEN), matrix(r, WIDTH, HIDDEN), matrix(r, HIDDEN, WIDTH), vector(r, WIDTH, 0),
        vector(r, WIDTH, 0), vector(r, HIDDEN, 0));
  }

  /** {@code n} tokens of Gaussian x with a mean of 0.5 (so LayerNorm's centering matters); some exact zeros. */
  static float[] input(Random r, int n) {
    float[] x = new float[n * HIDDEN];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 7 == 3 ? 0f : (float) (0.5 + r.nextGaussian());
    }
    return x;
  }

  static void assertForward(Ref ref, FusedBlockParameters p, int n) {
    float[] x = input(new Random(n), n);
    float[] f = p.contribution(x);
    assertEquals(n * HIDDEN, f.length);
    for (int t = 0; t < n; t++) {
      double[] want = ref.forward(x, t);
      for (int k = 0; k < HIDDEN; k++) {
        assertEquals(want[k], f[t * HIDDEN + k], 2e-5 * (1 + Math.abs(want[k])), "token " + t + " dim " + k);
      }
    }
  }

  @Nested
  class Forward {
    @Test
    void contribution_gatedSiluRmsNormGemmaOffset_equalsReference() throws Exception {
      Ref ref = gatedRms(new Random(1));
      assertForward(ref, read(ref, Orientation.OUT_IN, 1f), 3);
      assertForward(ref, read(ref, Orientation.IN_OUT, 1f), 3);
    }

    @Test
    void contribution_geluTanhMlpLayerNormWithBiases_equalsReference() throws Exception {
      Ref ref = mlpLayerNorm(new Random(2));
      assertForward(ref, read(ref, Orientation.OUT_IN, 0f), 3);
      assertForward(ref, read(ref, Orientation.IN_OUT, 0f), 3);
    }

    @Test
    void contribution_gatedGeluEveryBias_equalsReference() throws Exception {
      Ref ref = gatedLayerNormWithBiases(new Random(3));
      assertForward(ref, read(ref, Orientation.IN_OUT, 0f), 2);
    }

    @Test
    void contribution_moreTokensThanOneChunk_everyChunkComputed() throws Exception {
      Ref ref = gatedLayerNormWithBiases(new Random(4));
      assertForward(ref, read(ref, Orientation.OUT_IN, 0f), 2 * FfnKernel.CHUNK + 3);
    }

    @Test
    void normalize_layerNormWithBias_equalsReference() throws Exception {
      Ref ref = mlpLayerNorm(new Random(5));
      FusedBlockParameters p = read(ref, Orientation.OUT_IN, 0.5f);
      float[] x = input(new Random(6), 2);
      float[] u = p.normalize(x);
      for (int t = 0; t < 2; t++) {
        double[] want = ref.norm(x, t);
        for (int i = 0; i < HIDDEN; i++) {
          assertEquals(want[i], u[t * HIDDEN + i], 1e-5 * (1 + Math.abs(want[i])));
        }
      }
    }

    @Test
    void relativeError_moreThanOneStepOfTokens_equalsReference() throws Exception {
      Ref ref = gatedRms(new Random(7));
      FusedBlockParameters p = read(ref, Orientation.OUT_IN, 0f);
      int n = 1100; // the error is accumulated 1024 tokens at a time
      Random r = new Random(8);
      float[] x = input(r, n);
      float[] y = new float[x.length];
      double num = 0;
      double den = 0;
      for (int t = 0; t < n; t++) {
        double[] f = ref.forward(x, t);
        for (int k = 0; k < HIDDEN; k++) {
          int i = t * HIDDEN + k;
          y[i] = (float) (x[i] + 0.5 * f[k] + (t >= 1024 ? 1 : 0.01) * r.nextGaussian());
          num += Math.pow(y[i] - x[i] - f[k], 2);
          den += Math.pow((double) y[i] - x[i], 2);
        }
      }
      assertEquals(num / den, p.relativeError(ChainSamples.of(HIDDEN, x, y)), 1e-5 * num / den);
    }
  }

  @Nested
  class Values {
    @Test
    void read_storesEffectiveGainAndHfOrientation() throws Exception {
      Ref ref = gatedLayerNormWithBiases(new Random(9));
      FusedBlockParameters p = read(ref, Orientation.IN_OUT, 1f);
      assertEquals(HIDDEN, p.hidden());
      assertEquals(WIDTH, p.width());
      assertTrue(p.gated());
      assertEquals(Activation.GELU, p.activation());
      assertEquals(NormKind.LAYER_NORM, p.normKind());
      assertEquals(1e-5, p.eps());
      assertEquals(List.of(2L, 3L), p.memberWidths());
      assertEquals((float) ref.gain()[4], p.normGain()[4], 1e-6);
      assertEquals((float) ref.up()[3][2], p.up()[3 * HIDDEN + 2]);
      assertEquals((float) ref.gate()[1][5], p.gate().orElseThrow()[HIDDEN + 5]);
      assertEquals((float) ref.down()[5][4], p.down()[5 * WIDTH + 4]);
      assertEquals((float) ref.bg()[2], p.gateBias().orElseThrow()[2]);
      assertEquals((float) ref.bu()[3], p.upBias().orElseThrow()[3]);
      assertEquals((float) ref.bd()[1], p.downBias().orElseThrow()[1]);
      assertEquals((float) ref.beta()[0], p.normBias().orElseThrow()[0]);
    }

    @Test
    void toFfnWeights_bothOrientations_readBackUnchanged() throws Exception {
      Ref ref = gatedLayerNormWithBiases(new Random(10));
      FusedBlockParameters p = read(ref, Orientation.OUT_IN, 0f);
      for (Orientation o : Orientation.values()) {
        FfnWeights w = p.toFfnWeights(DType.F32, o);
        assertEquals(o, w.orientation());
        assertEquals(WIDTH, w.width());
        assertEquals(HIDDEN, w.hidden());
        NormParams norm = new NormParams(NormKind.LAYER_NORM, 1e-5,
            HeapTensor.ofFloats(Shape.of(HIDDEN), p.normGain()), 0f, Optional.empty());
        FusedBlockParameters back = FusedBlockParameters.read(norm, w, List.of());
        assertArrayEquals(p.up(), back.up(), o.toString());
        assertArrayEquals(p.gate().orElseThrow(), back.gate().orElseThrow(), o.toString());
        assertArrayEquals(p.down(), back.down(), o.toString());
        assertArrayEquals(p.gateBias().orElseThrow(), back.gateBias().orElseThrow());
        assertArrayEquals(p.upBias().orElseThrow(), back.upBias().orElseThrow());
        assertArrayEquals(p.downBias().orElseThrow(), back.downBias().orElseThrow());
      }
      assertEquals(Shape.of(HIDDEN, WIDTH), p.toFfnWeights(DType.F32, Orientation.IN_OUT).up().shape());
      assertEquals(DType.BF16, p.toFfnWeights(DType.BF16, Orientation.IN_OUT).down().dtype());
    }

    @Test
    void accessors_returnCopies() throws Exception {
      FusedBlockParameters p = read(gatedLayerNormWithBiases(new Random(11)), Orientation.OUT_IN, 0f);
      float before = p.up()[0];
      p.up()[0] += 1;
      p.down()[0] += 1;
      p.gate().orElseThrow()[0] += 1;
      p.normGain()[0] += 1;
      p.normBias().orElseThrow()[0] += 1;
      p.upBias().orElseThrow()[0] += 1;
      assertEquals(before, p.up()[0]);
      FusedBlockParameters q = read(gatedLayerNormWithBiases(new Random(11)), Orientation.OUT_IN, 0f);
      assertArrayEquals(q.down(), p.down());
      assertArrayEquals(q.gate().orElseThrow(), p.gate().orElseThrow());
      assertArrayEquals(q.normGain(), p.normGain());
      assertArrayEquals(q.normBias().orElseThrow(), p.normBias().orElseThrow());
      assertArrayEquals(q.upBias().orElseThrow(), p.upBias().orElseThrow());
    }

    @Test
    void withProjections_replacesThemAndKeepsTheRest() throws Exception {
      FusedBlockParameters p = read(gatedLayerNormWithBiases(new Random(12)), Orientation.OUT_IN, 0f);
      float[] g = new float[WIDTH * HIDDEN];
      float[] u = new float[WIDTH * HIDDEN];
      float[] d = new float[WIDTH * HIDDEN];
      g[1] = 1;
      u[2] = 2;
      d[3] = 3;
      FusedBlockParameters q = p.withProjections(g, u, d);
      g[1] = 9;
      assertEquals(1, q.gate().orElseThrow()[1]);
      assertArrayEquals(u, q.up());
      assertArrayEquals(d, q.down());
      assertArrayEquals(p.downBias().orElseThrow(), q.downBias().orElseThrow());
      assertArrayEquals(p.normBias().orElseThrow(), q.normBias().orElseThrow());
      assertEquals(p.memberWidths(), q.memberWidths());
      FusedBlockParameters r = p.withDown(d);
      assertArrayEquals(p.up(), r.up());
      assertArrayEquals(p.gate().orElseThrow(), r.gate().orElseThrow());
      assertArrayEquals(d, r.down());
    }

    @Test
    void withProjections_changedGatePresenceOrSize_throws() throws Exception {
      FusedBlockParameters p = read(gatedLayerNormWithBiases(new Random(13)), Orientation.OUT_IN, 0f);
      float[] m = new float[WIDTH * HIDDEN];
      float[] shorter = new float[WIDTH * HIDDEN - 1];
      assertThrows(IllegalArgumentException.class, () -> p.withProjections(null, m, m));
      assertThrows(IllegalArgumentException.class, () -> p.withProjections(m, shorter, m));
      assertThrows(IllegalArgumentException.class, () -> p.withProjections(m, m, shorter));
      assertThrows(IllegalArgumentException.class, () -> p.withProjections(shorter, m, m));
      FusedBlockParameters mlp = read(mlpLayerNorm(new Random(14)), Orientation.OUT_IN, 0f);
      assertThrows(IllegalArgumentException.class, () -> mlp.withProjections(m, m, m));
      assertFalse(mlp.withProjections(null, m, m).gated());
    }

    @Test
    void of_inconsistentSizes_throw() {
      float[] g = new float[HIDDEN];
      float[] m = new float[WIDTH * HIDDEN];
      assertThrows(IllegalArgumentException.class, () -> FusedBlockParameters.of(Activation.SILU, NormKind.RMS_NORM,
          1e-5, g, null, new float[WIDTH * HIDDEN + 1], new float[WIDTH * HIDDEN + 1], List.of()));
      assertThrows(IllegalArgumentException.class, () -> FusedBlockParameters.of(Activation.SILU, NormKind.RMS_NORM,
          1e-5, g, new float[HIDDEN], m, m, List.of()));
      assertThrows(IllegalArgumentException.class, () -> FusedBlockParameters.of(Activation.SILU, NormKind.RMS_NORM,
          1e-5, g, m, m, new float[HIDDEN], List.of()));
      FusedBlockParameters p = FusedBlockParameters.of(Activation.SILU, NormKind.RMS_NORM, 1e-5, g, null, m, m,
          List.of(5L));
      assertEquals(WIDTH, p.width());
      assertFalse(p.gated());
    }

    @Test
    void read_memberWidthsOverTheWidth_throws() throws Exception {
      Ref ref = gatedRms(new Random(15));
      NormParams norm = new NormParams(NormKind.RMS_NORM, 1e-5, tensor(ref.gain()).orElseThrow(), 0f,
          Optional.empty());
      FfnWeights ffn = FfnWeights.gated(Activation.SILU, Orientation.OUT_IN, tensor(ref.gate(), false),
          tensor(ref.up(), false), tensor(ref.down(), false));
      assertEquals(List.of(5L), FusedBlockParameters.read(norm, ffn, List.of(5L)).memberWidths());
      assertThrows(IllegalArgumentException.class, () -> FusedBlockParameters.read(norm, ffn, List.of(3L, 3L)));
    }

    @Test
    void partialTokensOrOtherHidden_throw() throws Exception {
      FusedBlockParameters p = read(gatedRms(new Random(16)), Orientation.OUT_IN, 0f);
      assertThrows(IllegalArgumentException.class, () -> p.contribution(new float[HIDDEN + 1]));
      assertThrows(IllegalArgumentException.class, () -> p.normalize(new float[HIDDEN - 1]));
      ChainSamples other = ChainSamples.of(HIDDEN + 1, new float[HIDDEN + 1], new float[HIDDEN + 1]);
      assertThrows(IllegalArgumentException.class, () -> p.relativeError(other));
    }

    @Test
    void isFinite_anyNonFiniteProjection_false() throws Exception {
      FusedBlockParameters p = read(gatedRms(new Random(17)), Orientation.OUT_IN, 0f);
      assertTrue(p.isFinite());
      float[] bad = p.down();
      bad[7] = Float.NaN;
      assertFalse(p.withDown(bad).isFinite());
      float[] badUp = p.up();
      badUp[0] = Float.POSITIVE_INFINITY;
      assertFalse(p.withProjections(p.gate().orElseThrow(), badUp, p.down()).isFinite());
      float[] badGate = p.gate().orElseThrow();
      badGate[WIDTH * HIDDEN - 1] = Float.NEGATIVE_INFINITY;
      assertFalse(p.withProjections(badGate, p.up(), p.down()).isFinite());
    }

    @Test
    void toString_namesShapeAndGate() throws Exception {
      String s = read(gatedRms(new Random(18)), Orientation.OUT_IN, 0f).toString();
      assertTrue(s.contains("hidden 6") && s.contains("width 5") && s.contains("gated"), s);
    }
  }
}

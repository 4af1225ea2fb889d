package org.ffnfuse.graph.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class FfnFuserTest {
  private static final int HIDDEN = 12;

  private static Tensor random(Random rnd, Shape s, double scale) {
    float[] v = new float[(int) s.elementCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextGaussian() * scale);
    }
    return Tensor.ofFloats(s, v);
  }

  private static Shape inShape(Orientation l, int width) {
    return l == Orientation.OUT_IN ? Shape.of(width, HIDDEN) : Shape.of(HIDDEN, width);
  }

  private static Shape downShape(Orientation l, int width) {
    return l == Orientation.OUT_IN ? Shape.of(HIDDEN, width) : Shape.of(width, HIDDEN);
  }

  /** A gated (SwiGLU/GeGLU) or plain (GELU MLP) FFN with RMSNorm or LayerNorm, biases optional. */
  private static FfnBlock block(Random rnd, Orientation l, int width, boolean gated, Activation act,
      NormKind norm, boolean biases, float gainOffset) {
    Tensor gain = random(rnd, Shape.of(HIDDEN), 0.5);
    Optional<Tensor> nb = norm == NormKind.LAYER_NORM && biases
        ? Optional.of(random(rnd, Shape.of(HIDDEN), 0.3)) : Optional.empty();
    NormParams np = new NormParams(norm, 1e-5, gain, gainOffset, nb);
    Optional<Tensor> bias = biases ? Optional.of(random(rnd, Shape.of(width), 0.2)) : Optional.empty();
    FfnWeights f = new FfnWeights(act, l,
        gated ? Optional.of(random(rnd, inShape(l, width), 0.4)) : Optional.empty(),
        random(rnd, inShape(l, width), 0.4), random(rnd, downShape(l, width), 0.4),
        gated ? bias : Optional.empty(), bias.map(b -> random(rnd, Shape.of(width), 0.2)),
        biases ? Optional.of(random(rnd, Shape.of(HIDDEN), 0.1)) : Optional.empty());
    return new FfnBlock(np, f);
  }

  /** Max |fused(x) − Σ_k h_k(x)| over random inputs, relative to the largest reference value. */
  private static double maxRelativeError(List<FfnBlock> chain, FusedFfn fused, Random rnd) throws IOException {
    double worst = 0;
    for (int t = 0; t < 20; t++) {
      double[] x = new double[HIDDEN];
      for (int i = 0; i < HIDDEN; i++) {
        x[i] = rnd.nextGaussian() * 3;
      }
      double[] parallel = new double[HIDDEN];
      for (FfnBlock b : chain) {
        double[] h = ReferenceFfn.branch(b, x);
        for (int i = 0; i < HIDDEN; i++) {
          parallel[i] += h[i];
        }
      }
      double[] got = ReferenceFfn.branch(fused.block(), x);
      double scale = 1e-3;
      for (double v : parallel) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < HIDDEN; i++) {
        worst = Math.max(worst, Math.abs(got[i] - parallel[i]) / scale);
      }
    }
    return worst;
  }

  private static List<FfnBlock> chain(Random rnd, Orientation l, boolean gated, Activation act, NormKind norm,
      boolean biases, float offset, int... widths) {
    List<FfnBlock> c = new ArrayList<>();
    for (int w : widths) {
      c.add(block(rnd, l, w, gated, act, norm, biases, offset));
    }
    return c;
  }

  @Nested
  class Exactness {
    @ParameterizedTest
    @EnumSource(Orientation.class)
    void swiglu_rmsNorm_equalsParallelSum(Orientation layout) throws IOException {
      Random rnd = new Random(11);
      List<FfnBlock> c = chain(rnd, layout, true, Activation.SILU, NormKind.RMS_NORM, false, 0f, 5, 7, 6);
      FusedFfn f = FfnFuser.fuse(c, DType.F32);
      assertEquals(18, f.width());
      assertTrue(maxRelativeError(c, f, rnd) < 1e-6, "error " + maxRelativeError(c, f, rnd));
    }

    @Test
    void geglu_gemmaOffsetGain_equalsParallelSum() throws IOException {
      Random rnd = new Random(12);
      List<FfnBlock> c = chain(rnd, Orientation.OUT_IN, true, Activation.GELU_TANH, NormKind.RMS_NORM, false,
          1f, 4, 4);
      FusedFfn f = FfnFuser.fuse(c, DType.F32);
      float[] g = f.block().norm().gain().toFloats();
      assertEquals(0f, g[0], "Gemma stores w with effective gain 1 + w: a unit gain is stored as 0");
      assertTrue(maxRelativeError(c, f, rnd) < 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Orientation.class)
    void geluMlp_layerNormWithBiases_foldsBiases(Orientation layout) throws IOException {
      Random rnd = new Random(13);
      List<FfnBlock> c = chain(rnd, layout, false, Activation.GELU, NormKind.LAYER_NORM, true, 0f, 8, 3, 5);
      FusedFfn f = FfnFuser.fuse(c, DType.F32);
      assertTrue(f.block().ffn().upBias().isPresent());
      assertTrue(maxRelativeError(c, f, rnd) < 1e-6, "error " + maxRelativeError(c, f, rnd));
    }

    @Test
    void gatedWithLayerNormBias_foldsIntoGateAndUpBiases() throws IOException {
      Random rnd = new Random(14);
      List<FfnBlock> c = chain(rnd, Orientation.OUT_IN, true, Activation.SILU, NormKind.LAYER_NORM, true, 0f,
          6, 6);
      FusedFfn f = FfnFuser.fuse(c, DType.F32);
      assertTrue(maxRelativeError(c, f, rnd) < 1e-6);
    }

    @Test
    void singleFfn_isIdentity() throws IOException {
      Random rnd = new Random(15);
      List<FfnBlock> c = chain(rnd, Orientation.OUT_IN, true, Activation.SILU, NormKind.RMS_NORM, false, 0f, 9);
      FusedFfn f = FfnFuser.fuse(c, DType.F32);
      assertEquals(9, f.width());
      assertTrue(maxRelativeError(c, f, rnd) < 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Orientation.class)
    void padding_withZeroRowsAndColumns_isExact(Orientation layout) throws IOException {
      Random rnd = new Random(16);
      List<FfnBlock> c = chain(rnd, layout, true, Activation.SILU, NormKind.RMS_NORM, true, 0f, 5, 6);
      FusedFfn f = FfnFuser.fuse(c, DType.F32, 16);
      assertEquals(16, f.width());
      assertEquals(5, f.padding());
      assertTrue(maxRelativeError(c, f, rnd) < 1e-6);
    }

    @Test
    void bf16Output_errorIsTheRoundingOfFoldedWeights() throws IOException {
      Random rnd = new Random(17);
      List<FfnBlock> c = chain(rnd, Orientation.OUT_IN, true, Activation.SILU, NormKind.RMS_NORM, false, 0f, 8, 8);
      double err = maxRelativeError(c, FfnFuser.fuse(c, DType.BF16), rnd);
      assertTrue(err > 1e-6 && err < 3e-2, "bf16 folded weights give a small, nonzero error: " + err);
    }
  }

  @Nested
  class Refusals {
    @Test
    void differentEps_refused() {
      Random rnd = new Random(20);
      FfnBlock a = block(rnd, Orientation.OUT_IN, 4, true, Activation.SILU, NormKind.RMS_NORM, false, 0f);
      FfnBlock b0 = block(rnd, Orientation.OUT_IN, 4, true, Activation.SILU, NormKind.RMS_NORM, false, 0f);
      FfnBlock b = new FfnBlock(new NormParams(NormKind.RMS_NORM, 1e-6, b0.norm().gain(), 0f, Optional.empty()),
          b0.ffn());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> FfnFuser.fuse(List.of(a, b), DType.F32));
      assertTrue(e.getMessage().contains("eps"), e.getMessage());
    }

    @Test
    void differentActivation_refused() {
      Random rnd = new Random(21);
      FfnBlock a = block(rnd, Orientation.OUT_IN, 4, true, Activation.SILU, NormKind.RMS_NORM, false, 0f);
      FfnBlock b = block(rnd, Orientation.OUT_IN, 4, true, Activation.GELU, NormKind.RMS_NORM, false, 0f);
      assertThrows(IllegalArgumentException.class, () -> FfnFuser.fuse(List.of(a, b), DType.F32));
    }

    @Test
    void mismatchedShapes_rejectedWhenBuildingWeights() {
      Random rnd = new Random(22);
      assertThrows(IllegalArgumentException.class, () -> new FfnWeights(Activation.SILU, Orientation.OUT_IN,
          Optional.of(random(rnd, Shape.of(4, HIDDEN), 1)), random(rnd, Shape.of(5, HIDDEN), 1),
          random(rnd, Shape.of(HIDDEN, 4), 1), Optional.empty(), Optional.empty(), Optional.empty()));
    }
  }
}

package org.ffnfuse.graph.fusion;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every FFN kind with every bias present and norm gains far from 1 (as the regenerated fixtures have): SwiGLU and GeGLU
 * with RMSNorm, Gemma's {@code (1 + w)} RMSNorm, LayerNorm with its bias (folded into the input projections), GELU MLP
 * with fc1/fc2 biases, in both weight orientations. The fused block must equal the parallel sum computed in double by
 * {@link ReferenceFfn}; dropping any bias (the summed down bias, a folded norm bias, a member's gate or up bias) or
 * any member's gain moves the result by far more than fp32 rounding.
 */
class FfnFuserBiasGainTest {
  private static final int HIDDEN = 10;

  record Kind(String name, boolean gated, Activation act, NormKind norm, float gainOffset) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Arguments> kinds() {
    List<Kind> kinds = List.of(new Kind("SwiGLU RMSNorm", true, Activation.SILU, NormKind.RMS_NORM, 0f),
        new Kind("GeGLU Gemma (1+w) RMSNorm", true, Activation.GELU_TANH, NormKind.RMS_NORM, 1f),
        new Kind("SwiGLU LayerNorm", true, Activation.SILU, NormKind.LAYER_NORM, 0f),
        new Kind("GELU MLP LayerNorm", false, Activation.GELU, NormKind.LAYER_NORM, 0f),
        new Kind("GELU-tanh MLP LayerNorm", false, Activation.GELU_TANH, NormKind.LAYER_NORM, 0f));
    List<Arguments> out = new ArrayList<>();
    for (Kind k : kinds) {
      for (Orientation o : Orientation.values()) {
        out.add(Arguments.of(k, o));
      }
    }
    return out;
  }

  private static Tensor gaussian(Random rnd, Shape s, double mean, double scale) {
    float[] v = new float[(int) s.elementCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (mean + rnd.nextGaussian() * scale);
    }
    return Tensor.ofFloats(s, v);
  }

  /** One member: gains around 1 ± 0.3 (effective, Gemma's stored w around 0), every bias ~ N(0, 0.2²). */
  private static FfnBlock member(Random rnd, Kind k, Orientation o, int width) {
    Shape in = o == Orientation.OUT_IN ? Shape.of(width, HIDDEN) : Shape.of(HIDDEN, width);
    Shape down = o == Orientation.OUT_IN ? Shape.of(HIDDEN, width) : Shape.of(width, HIDDEN);
    Tensor gain = gaussian(rnd, Shape.of(HIDDEN), 1 - k.gainOffset(), 0.3);
    Optional<Tensor> normBias = k.norm() == NormKind.LAYER_NORM
        ? Optional.of(gaussian(rnd, Shape.of(HIDDEN), 0, 0.2)) : Optional.empty();
    NormParams norm = new NormParams(k.norm(), 1e-6, gain, k.gainOffset(), normBias);
    FfnWeights f = new FfnWeights(k.act(), o,
        k.gated() ? Optional.of(gaussian(rnd, in, 0, 0.4)) : Optional.empty(), gaussian(rnd, in, 0, 0.4),
        gaussian(rnd, down, 0, 0.4),
        k.gated() ? Optional.of(gaussian(rnd, Shape.of(width), 0, 0.2)) : Optional.empty(),
        Optional.of(gaussian(rnd, Shape.of(width), 0, 0.2)), Optional.of(gaussian(rnd, Shape.of(HIDDEN), 0, 0.2)));
    return new FfnBlock(norm, f);
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("kinds")
  void fuse_biasesAndNonUnitGains_equalsDoubleParallelSum(Kind k, Orientation o) throws IOException {
    Random rnd = new Random(31 + k.name().hashCode() + o.ordinal());
    List<FfnBlock> chain = new ArrayList<>();
    for (int w : new int[] {6, 9, 4}) {
      chain.add(member(rnd, k, o, w));
    }
    FusedFfn fused = FfnFuser.fuse(chain, DType.F32);
    double worst = 0;
    for (int t = 0; t < 16; t++) {
      double[] x = new double[HIDDEN];
      for (int i = 0; i < HIDDEN; i++) {
        x[i] = 0.5 + rnd.nextGaussian() * 2; // a non-zero mean, so LayerNorm's centring matters
      }
      double[] want = new double[HIDDEN];
      for (FfnBlock b : chain) {
        double[] h = ReferenceFfn.branch(b, x);
        for (int i = 0; i < HIDDEN; i++) {
          want[i] += h[i];
        }
      }
      double[] got = ReferenceFfn.branch(fused.block(), x);
      double scale = 1e-3;
      for (double v : want) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < HIDDEN; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
      }
    }
    assertTrue(worst < 1e-6, k + " " + o + ": fused vs double parallel sum, relative error " + worst);
  }
}

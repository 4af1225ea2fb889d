package org.ffnfuse.graph.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;
import org.junit.jupiter.api.Test;

/**
 * The checks on fusion members: FfnWeights and NormParams shapes, and why two FFN blocks cannot be
 * one chain (hidden 4, width 6).
 */
class FfnMemberValidationTest {
  private static Tensor zeros(long... dims) {
    Shape s = Shape.of(dims);
    return HeapTensor.ofFloats(s, new float[Math.toIntExact(s.elementCount())]);
  }

  private static String refusal(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  private static FfnWeights weights(
      Optional<Tensor> gate,
      Tensor up,
      Tensor down,
      Optional<Tensor> gateBias,
      Optional<Tensor> upBias,
      Optional<Tensor> downBias) {
    return new FfnWeights(
        Activation.SILU, Orientation.IN_OUT, gate, up, down, gateBias, upBias, downBias);
  }

  @Test
  void ffnWeights_shapes_hiddenAndWidthByOrientation() {
    FfnWeights in =
        FfnWeights.gated(
            Activation.SILU, Orientation.IN_OUT, zeros(4, 6), zeros(4, 6), zeros(6, 4));
    assertEquals(4, in.hidden());
    assertEquals(6, in.width());
    FfnWeights out =
        FfnWeights.gated(
            Activation.SILU, Orientation.OUT_IN, zeros(6, 4), zeros(6, 4), zeros(4, 6));
    assertEquals(4, out.hidden());
    assertEquals(6, out.width());
  }

  @Test
  void ffnWeights_badShapes_refusedNamingThePart() {
    Optional<Tensor> none = Optional.empty();
    Optional<Tensor> gate = Optional.of(zeros(4, 6));
    assertTrue(
        refusal(() -> weights(none, zeros(24), zeros(6, 4), none, none, none))
            .startsWith("projections must be 2-D"));
    assertTrue(
        refusal(() -> weights(none, zeros(4, 6), zeros(6, 4, 1), none, none, none))
            .startsWith("projections must be 2-D"));
    assertEquals(
        "gate [4, 5] differs from up [4, 6]",
        refusal(
            () -> weights(Optional.of(zeros(4, 5)), zeros(4, 6), zeros(6, 4), none, none, none)));
    assertTrue(
        refusal(() -> weights(gate, zeros(4, 6), zeros(5, 4), none, none, none))
            .contains("does not map width 6 back to hidden 4"));
    assertTrue(
        refusal(() -> weights(gate, zeros(4, 6), zeros(6, 5), none, none, none))
            .contains("does not map width 6 back to hidden 4"));
    assertEquals(
        "gate bias without gate",
        refusal(() -> weights(none, zeros(4, 6), zeros(6, 4), Optional.of(zeros(6)), none, none)));
    assertTrue(
        refusal(() -> weights(gate, zeros(4, 6), zeros(6, 4), Optional.of(zeros(4)), none, none))
            .startsWith("gate bias"));
    assertTrue(
        refusal(() -> weights(gate, zeros(4, 6), zeros(6, 4), none, Optional.of(zeros(4)), none))
            .startsWith("up bias"));
    assertTrue(
        refusal(() -> weights(gate, zeros(4, 6), zeros(6, 4), none, none, Optional.of(zeros(6))))
            .startsWith("down bias"));
    // The right shapes pass.
    weights(
        gate,
        zeros(4, 6),
        zeros(6, 4),
        Optional.of(zeros(6)),
        Optional.of(zeros(6)),
        Optional.of(zeros(4)));
  }

  @Test
  void normParams_twoDimensionalGainOrRmsBias_refused() {
    assertTrue(
        refusal(() -> new NormParams(NormKind.RMS_NORM, 1e-6, zeros(4, 1), 0, Optional.empty()))
            .startsWith("norm gain must be 1-D"));
    assertEquals(
        "RMSNorm has no bias",
        refusal(() -> new NormParams(NormKind.RMS_NORM, 1e-6, zeros(4), 0, Optional.of(zeros(4)))));
    assertEquals(
        4, new NormParams(NormKind.LAYER_NORM, 1e-5, zeros(4), 0, Optional.of(zeros(4))).hidden());
  }

  private static FfnBlock block(
      NormKind kind,
      double eps,
      float offset,
      Activation act,
      boolean gated,
      Orientation o,
      long hidden) {
    long[] in = o == Orientation.IN_OUT ? new long[] {hidden, 6} : new long[] {6, hidden};
    long[] down = o == Orientation.IN_OUT ? new long[] {6, hidden} : new long[] {hidden, 6};
    FfnWeights w =
        new FfnWeights(
            act,
            o,
            gated ? Optional.of(zeros(in)) : Optional.empty(),
            zeros(in),
            zeros(down),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    return new FfnBlock(new NormParams(kind, eps, zeros(hidden), offset, Optional.empty()), w);
  }

  @Test
  void incompatibility_eachDifference_namedMemberThenFirst() {
    FfnBlock a = block(NormKind.RMS_NORM, 1e-6, 0, Activation.SILU, true, Orientation.IN_OUT, 4);
    assertEquals("", FfnFuser.incompatibility(a, a));
    assertEquals(
        "norm LAYER_NORM vs RMS_NORM",
        FfnFuser.incompatibility(
            a, block(NormKind.LAYER_NORM, 1e-6, 0, Activation.SILU, true, Orientation.IN_OUT, 4)));
    assertEquals(
        "norm eps 1.0E-5 vs 1.0E-6",
        FfnFuser.incompatibility(
            a, block(NormKind.RMS_NORM, 1e-5, 0, Activation.SILU, true, Orientation.IN_OUT, 4)));
    assertEquals(
        "norm gain offset 1.0 vs 0.0",
        FfnFuser.incompatibility(
            a, block(NormKind.RMS_NORM, 1e-6, 1, Activation.SILU, true, Orientation.IN_OUT, 4)));
    assertEquals(
        "activation GELU vs SILU",
        FfnFuser.incompatibility(
            a, block(NormKind.RMS_NORM, 1e-6, 0, Activation.GELU, true, Orientation.IN_OUT, 4)));
    assertEquals(
        "gated false vs true",
        FfnFuser.incompatibility(
            a, block(NormKind.RMS_NORM, 1e-6, 0, Activation.SILU, false, Orientation.IN_OUT, 4)));
    assertEquals(
        "orientation OUT_IN vs IN_OUT",
        FfnFuser.incompatibility(
            a, block(NormKind.RMS_NORM, 1e-6, 0, Activation.SILU, true, Orientation.OUT_IN, 4)));
    assertEquals(
        "hidden size 5 vs 4",
        FfnFuser.incompatibility(
            a, block(NormKind.RMS_NORM, 1e-6, 0, Activation.SILU, true, Orientation.IN_OUT, 5)));
  }

  @Test
  void fuse_incompatibleMember_refusedNamingIt() {
    FfnBlock a = block(NormKind.RMS_NORM, 1e-6, 0, Activation.SILU, true, Orientation.IN_OUT, 4);
    FfnBlock b = block(NormKind.RMS_NORM, 1e-6, 0, Activation.GELU, true, Orientation.IN_OUT, 4);
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> FfnFuser.fuse(List.of(a, a, b), org.ffnfuse.formats.tensor.DType.F32))
            .getMessage();
    assertEquals("chain member 2 cannot be fused with member 0: activation GELU vs SILU", m);
    assertEquals(
        "empty chain",
        assertThrows(
                IllegalArgumentException.class,
                () -> FfnFuser.fuse(List.of(), org.ffnfuse.formats.tensor.DType.F32))
            .getMessage());
  }
}

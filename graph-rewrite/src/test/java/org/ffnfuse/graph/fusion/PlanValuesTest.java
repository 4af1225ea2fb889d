package org.ffnfuse.graph.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;
import org.junit.jupiter.api.Test;

/**
 * The small values of a fusion plan: chain ranges, plan parsing and pass options, FFN block sizes.
 */
class PlanValuesTest {
  @Test
  void chainRange_containsItsBlocksInclusive() {
    ChainRange c = new ChainRange(2, 4);
    assertFalse(c.contains(1));
    assertTrue(c.contains(2));
    assertTrue(c.contains(3));
    assertTrue(c.contains(4));
    assertFalse(c.contains(5));
    assertEquals(3, c.length());
  }

  @Test
  void chainRange_overlapsWhenSharingABlock() {
    assertTrue(new ChainRange(0, 1).overlaps(new ChainRange(1, 2)));
    assertTrue(new ChainRange(1, 2).overlaps(new ChainRange(0, 1)));
    assertFalse(new ChainRange(0, 1).overlaps(new ChainRange(2, 3)));
    assertFalse(new ChainRange(2, 3).overlaps(new ChainRange(0, 1)));
  }

  @Test
  void plan_ofAndParseWithEmptyItems_sameChains() {
    List<ChainRange> chains = List.of(new ChainRange(0, 1), new ChainRange(3, 5));
    assertEquals(chains, FusionPlan.of(new ChainRange(0, 1), new ChainRange(3, 5)).chains());
    assertEquals(chains, FusionPlan.parse(" 0-1 ,, 3-5 ,").chains());
  }

  @Test
  void options_weightType_floatOnly() {
    FfnFusionPass.Options o = FfnFusionPass.Options.defaults().withWeightType(DType.BF16);
    assertEquals(Optional.of(DType.BF16), o.weightType());
    assertFalse(o.inline());
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> FfnFusionPass.Options.defaults().withWeightType(DType.I64))
            .getMessage();
    assertEquals("weight type I64 is not a float type", m);
  }

  @Test
  void ffnBlock_normOfAnotherSize_refused() {
    FfnWeights w =
        FfnWeights.gated(
            Activation.SILU,
            Orientation.IN_OUT,
            HeapTensor.ofFloats(Shape.of(4, 6), new float[24]),
            HeapTensor.ofFloats(Shape.of(4, 6), new float[24]),
            HeapTensor.ofFloats(Shape.of(6, 4), new float[24]));
    NormParams n =
        new NormParams(
            NormKind.RMS_NORM,
            1e-6,
            HeapTensor.ofFloats(Shape.of(5), new float[5]),
            0,
            Optional.empty());
    String m = assertThrows(IllegalArgumentException.class, () -> new FfnBlock(n, w)).getMessage();
    assertEquals("norm of size 5 before an FFN of hidden size 4", m);
  }
}

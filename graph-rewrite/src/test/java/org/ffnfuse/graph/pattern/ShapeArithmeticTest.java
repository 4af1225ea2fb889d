package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.ffnfuse.graph.testing.TinyGraph.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.ShapeArithmetic.Dim;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** ShapeArithmetic on shape computations built in code, each with its value worked out by hand. */
class ShapeArithmeticTest {
  static Dim known(long v) {
    return new Dim(OptionalLong.of(v), "", 0);
  }

  static Dim dimOf(String value, long axis) {
    return new Dim(OptionalLong.empty(), value, axis);
  }

  static Dim unknown() {
    return new Dim(OptionalLong.empty(), "", 0);
  }

  static Optional<List<Dim>> elements(TinyGraph t, String value) {
    return ShapeArithmetic.elements(t.build(), value);
  }

  /** {@code x} and {@code m = MatMul(x, w[8, 12])}: m's last dim is 12. */
  static TinyGraph matmul() {
    return new TinyGraph().input("x").weight("w", 8, 12).node("MatMul", "x w -> m").output("m");
  }

  @Nested
  class Elements {
    @Test
    void constant_knownValues() {
      TinyGraph t = new TinyGraph().longs("c", 2, -3, 4);
      assertEquals(Optional.of(List.of(known(2), known(-3), known(4))), elements(t, "c"));
    }

    @Test
    void graphInput_unknownLength() {
      assertEquals(Optional.empty(), elements(new TinyGraph().input("x"), "x"));
    }

    @Test
    void shape_negativeStartWithoutEnd_lastDims() {
      TinyGraph t = new TinyGraph().input("x").node("Shape", "x -> s", integer("start", -2));
      assertEquals(Optional.of(List.of(dimOf("x", -2), dimOf("x", -1))), elements(t, "s"));
    }

    @Test
    void shape_whole_rankUnknown() {
      assertEquals(Optional.empty(), elements(new TinyGraph().input("x").node("Shape", "x -> s"), "s"));
      TinyGraph t = new TinyGraph().input("x").node("Shape", "x -> s", integer("start", 1));
      assertEquals(Optional.empty(), elements(t, "s"));
    }

    @Test
    void shape_startAndEnd_thoseDims() {
      TinyGraph t = new TinyGraph().input("x").node("Shape", "x -> s", integer("start", 0), integer("end", 2));
      assertEquals(Optional.of(List.of(dimOf("x", 0), dimOf("x", 1))), elements(t, "s"));
      TinyGraph neg = new TinyGraph().input("x").node("Shape", "x -> s", integer("start", -3), integer("end", -1));
      assertEquals(Optional.of(List.of(dimOf("x", -3), dimOf("x", -2))), elements(neg, "s"));
    }

    @Test
    void shape_startAndEndOfDifferentSigns_unknown() {
      TinyGraph t = new TinyGraph().input("x").node("Shape", "x -> s", integer("start", 1), integer("end", -1));
      assertEquals(Optional.empty(), elements(t, "s"));
      TinyGraph u = new TinyGraph().input("x").node("Shape", "x -> s", integer("start", -2), integer("end", 1));
      assertEquals(Optional.empty(), elements(u, "s"));
    }

    @Test
    void gather_ofWholeShape_namesTheDim() {
      TinyGraph t = new TinyGraph().input("x").longs("i", -1).node("Shape", "x -> s").node("Gather", "s i -> d");
      assertEquals(Optional.of(List.of(dimOf("x", -1))), elements(t, "d"));
    }

    @Test
    void gather_ofConstant_indexFromEitherEnd() {
      TinyGraph t = new TinyGraph().longs("c", 5, 6, 7).longs("a", -1).longs("b", 1).longs("far", 3)
          .longs("neg", -4).node("Gather", "c a -> ga").node("Gather", "c b -> gb").node("Gather", "c far -> gf")
          .node("Gather", "c neg -> gn");
      Graph g = t.build();
      assertEquals(Optional.of(List.of(known(7))), ShapeArithmetic.elements(g, "ga"));
      assertEquals(Optional.of(List.of(known(6))), ShapeArithmetic.elements(g, "gb"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "gf"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "gn"));
    }

    @Test
    void gather_twoIndicesOrOtherAxisOrUnknownData_unknown() {
      TinyGraph t = new TinyGraph().input("x").longs("c", 5, 6, 7).longs("two", 0, 1).longs("i", 0)
          .node("Gather", "c two -> g2").node("Gather", "c i -> ga", integer("axis", 1)).node("Gather", "x i -> gx")
          .node("Shape", "x -> s", integer("start", -2)).node("Gather", "s i -> gs");
      Graph g = t.build();
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "g2"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "ga"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "gx"));
      // Shape with a start is not the whole shape: index 0 is its first element, dim -2 of x.
      assertEquals(Optional.of(List.of(dimOf("x", -2))), ShapeArithmetic.elements(g, "gs"));
    }

    @Test
    void slice_ofConstant_clampsAndAllowsEmpty() {
      TinyGraph t = new TinyGraph().longs("c", 5, 6, 7, 8).longs("one", 1).longs("minus1", -1).longs("three", 3)
          .longs("big", Long.MAX_VALUE).longs("minus9", -9)
          .node("Slice", "c one minus1 -> a").node("Slice", "c three one -> b").node("Slice", "c minus9 big -> d");
      Graph g = t.build();
      assertEquals(Optional.of(List.of(known(6), known(7))), ShapeArithmetic.elements(g, "a"));
      assertEquals(Optional.of(List.of()), ShapeArithmetic.elements(g, "b"));
      assertEquals(Optional.of(List.of(known(5), known(6), known(7), known(8))), ShapeArithmetic.elements(g, "d"));
    }

    @Test
    void slice_ofShape_lastDimsToTheEnd() {
      TinyGraph t = new TinyGraph().input("x").longs("minus2", -2).longs("big", Long.MAX_VALUE).longs("zero", 0)
          .longs("two", 2).node("Shape", "x -> s").node("Slice", "s minus2 big -> tail")
          .node("Slice", "s zero two -> head");
      Graph g = t.build();
      assertEquals(Optional.of(List.of(dimOf("x", -2), dimOf("x", -1))), ShapeArithmetic.elements(g, "tail"));
      assertEquals(Optional.of(List.of(dimOf("x", 0), dimOf("x", 1))), ShapeArithmetic.elements(g, "head"));
    }

    @Test
    void slice_nonUnitStepOrUnknownBounds_unknown() {
      TinyGraph t = new TinyGraph().input("x").input("n").longs("c", 5, 6, 7, 8).longs("zero", 0).longs("two", 2)
          .longs("one", 1).longs("ax", 0).node("Slice", "c zero two ax two -> stepped")
          .node("Slice", "c zero two ax one -> unit").node("Slice", "c n two -> open");
      Graph g = t.build();
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "stepped"));
      assertEquals(Optional.of(List.of(known(5), known(6))), ShapeArithmetic.elements(g, "unit"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "open"));
    }

    @Test
    void concat_joinsPartsOrIsUnknown() {
      TinyGraph t = new TinyGraph().input("x").longs("a", 1).longs("b", 2, 3)
          .node("Shape", "x -> s", integer("start", -1)).node("Concat", "a s b -> c", integer("axis", 0))
          .node("Concat", "a x -> bad", integer("axis", 0));
      Graph g = t.build();
      assertEquals(Optional.of(List.of(known(1), dimOf("x", -1), known(2), known(3))),
          ShapeArithmetic.elements(g, "c"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "bad"));
    }

    @Test
    void unsqueezeCastIdentity_passThrough() {
      TinyGraph t = new TinyGraph().longs("c", 4).longs("ax", 0).node("Unsqueeze", "c ax -> u")
          .node("Cast", "u -> k", integer("to", 7)).node("Squeeze", "k -> q").node("Identity", "q -> i");
      assertEquals(Optional.of(List.of(known(4))), elements(t, "i"));
    }

    @Test
    void arithmetic_onKnownScalars() {
      TinyGraph t = new TinyGraph().longs("a", 7).longs("b", 2).longs("m", -7).longs("z", 0)
          .node("Add", "a b -> add").node("Sub", "a b -> sub").node("Mul", "a b -> mul").node("Div", "a b -> div")
          .node("Div", "m b -> ndiv").node("Div", "a z -> zdiv");
      Graph g = t.build();
      assertEquals(OptionalLong.of(9), ShapeArithmetic.scalar(g, "add"));
      assertEquals(OptionalLong.of(5), ShapeArithmetic.scalar(g, "sub"));
      assertEquals(OptionalLong.of(14), ShapeArithmetic.scalar(g, "mul"));
      assertEquals(OptionalLong.of(3), ShapeArithmetic.scalar(g, "div"));
      assertEquals(OptionalLong.of(-3), ShapeArithmetic.scalar(g, "ndiv")); // integer Div truncates toward 0
      assertEquals(Optional.of(List.of(unknown())), ShapeArithmetic.elements(g, "zdiv"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.scalar(g, "zdiv"));
    }

    @Test
    void arithmetic_onResolvableDims_torchScriptHalving() {
      // (d + 1) / 2 with d the last dim of MatMul(x, w[8, 12]): 6.
      TinyGraph t = matmul().longs("i", -1).longs("one", 1).longs("two", 2).node("Shape", "m -> s")
          .node("Gather", "s i -> d").node("Add", "d one -> d1").node("Div", "d1 two -> half");
      assertEquals(OptionalLong.of(6), ShapeArithmetic.scalar(t.build(), "half"));
    }

    @Test
    void arithmetic_unresolvedOrVectorOperand_unknownOrEmpty() {
      TinyGraph t = new TinyGraph().input("x").longs("i", 0).longs("two", 2).longs("v", 1, 2)
          .node("Shape", "x -> s").node("Gather", "s i -> d").node("Mul", "d two -> dm")
          .node("Add", "v two -> vv").node("Add", "two x -> ux");
      Graph g = t.build();
      assertEquals(Optional.of(List.of(unknown())), ShapeArithmetic.elements(g, "dm"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "vv"));
      assertEquals(Optional.empty(), ShapeArithmetic.elements(g, "ux"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.scalar(g, "v"));
    }
  }

  @Nested
  class LastDim {
    @Test
    void initializerOrMatMulWeight() {
      Graph g = matmul().weight("s0").build();
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "w"));
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "m"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "s0"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "x"));
    }

    @Test
    void matMul_transposedWeightOrOneDimOrActivation() {
      TinyGraph t = new TinyGraph().input("x").input("y").weight("w", 12, 8).weight("v", 8)
          .node("Transpose", "w -> wt", ints("perm", 1, 0)).node("MatMul", "x wt -> a")
          .node("Transpose", "w -> same", ints("perm", 0, 1)).node("MatMul", "x same -> b")
          .node("MatMul", "x v -> c").node("MatMul", "x y -> d");
      Graph g = t.build();
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "a"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "b"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "c"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "d"));
    }

    @Test
    void gemm_transBChoosesTheRow() {
      TinyGraph t = new TinyGraph().input("x").input("y").weight("w", 16, 8).weight("v", 16)
          .node("Gemm", "x w -> t", integer("transB", 1)).node("Gemm", "x w -> n")
          .node("Gemm", "x y -> u").node("Gemm", "x v -> r");
      Graph g = t.build();
      assertEquals(OptionalLong.of(16), ShapeArithmetic.lastDim(g, "t"));
      assertEquals(OptionalLong.of(8), ShapeArithmetic.lastDim(g, "n"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "u"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "r"));
    }

    @Test
    void gather_embeddingRowsOnAxisZeroOnly() {
      TinyGraph t = new TinyGraph().input("ids").weight("e", 100, 32).weight("v", 100)
          .node("Gather", "e ids -> h").node("Gather", "e ids -> h1", integer("axis", 1))
          .node("Gather", "v ids -> h2");
      Graph g = t.build();
      assertEquals(OptionalLong.of(32), ShapeArithmetic.lastDim(g, "h"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "h1"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "h2"));
    }

    @Test
    void elementwise_passesThroughAndBroadcasts() {
      TinyGraph t = matmul().input("y").scalar("k", 2f).weight("b", 12).weight("one", 1)
          .node("Sigmoid", "m -> s").node("Cast", "s -> c", integer("to", 1)).node("Mul", "c k -> ck")
          .node("Add", "y b -> yb").node("Add", "y one -> y1").node("Add", "m b -> mb").node("Relu", "y -> ry")
          .node("Concat", "m m -> cc", integer("axis", -1));
      Graph g = t.build();
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "c"));
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "ck"));
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "yb"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "y1"));
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(g, "mb"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "ry"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "cc"));
    }

    @Test
    void elementwise_broadcastTakesTheLarger() {
      TinyGraph t = new TinyGraph().weight("a", 3, 1).weight("b", 4).node("Sub", "a b -> d")
          .node("Div", "b a -> q");
      Graph g = t.build();
      assertEquals(OptionalLong.of(4), ShapeArithmetic.lastDim(g, "d"));
      assertEquals(OptionalLong.of(4), ShapeArithmetic.lastDim(g, "q"));
    }

    @Test
    void reshape_positiveLastTargetOnly() {
      TinyGraph t = matmul().longs("to", 0, 3, 4).longs("flat", 0, -1).longs("none")
          .node("Reshape", "m to -> r").node("Reshape", "m flat -> f").node("Reshape", "m none -> n")
          .input("dyn").node("Reshape", "m dyn -> d");
      Graph g = t.build();
      assertEquals(OptionalLong.of(4), ShapeArithmetic.lastDim(g, "r"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "f"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "n"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(g, "d"));
    }

    @Test
    void reshape_targetFromShapeOfMatMul_resolves() {
      // Reshape(t, Concat(Shape(m)[-1:])): the target's last element is m's last dim, 12.
      TinyGraph t = matmul().input("z").longs("minus1", -1).longs("big", Long.MAX_VALUE).node("Shape", "m -> s")
          .node("Slice", "s minus1 big -> last").node("Reshape", "z last -> r");
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(t.build(), "r"));
    }

    @Test
    void deepChain_givesUpPastTheDepthLimit() {
      TinyGraph shallow = matmul();
      TinyGraph deep = matmul();
      String prev = "m";
      for (int i = 0; i < 30; i++) {
        deep.node("Identity", prev + " -> d" + i);
        if (i < 20) {
          shallow.node("Identity", prev + " -> d" + i);
        }
        prev = "d" + i;
      }
      assertEquals(OptionalLong.of(12), ShapeArithmetic.lastDim(shallow.build(), "d19"));
      assertEquals(OptionalLong.empty(), ShapeArithmetic.lastDim(deep.build(), "d29"));
    }
  }

  @Nested
  class Computation {
    /** Reshape(h, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): TorchScript's computed reshape target. */
    static TinyGraph reshape() {
      return new TinyGraph().input("x").input("h").longs("zero", 0).longs("minus1", -1).longs("ax", 0)
          .node("Shape", "x -> s").node("Gather", "s zero -> b").node("Unsqueeze", "b ax -> ub")
          .node("Concat", "ub minus1 -> target", integer("axis", 0)).node("Reshape", "h target -> r").output("r");
    }

    static List<String> ops(List<Node> nodes) {
      return nodes.stream().map(Node::opType).sorted().toList();
    }

    @Test
    void computation_ownedShapeNodes_all() {
      Graph g = reshape().build();
      Node owner = g.producer("r").orElseThrow();
      assertEquals(List.of("Concat", "Gather", "Shape", "Unsqueeze"), ops(ShapeArithmetic.computation(g, List.of(owner))));
    }

    @Test
    void computation_sharedWithAnotherConsumer_leftOut() {
      Graph g = reshape().node("Neg", "b -> other").output("other").build();
      Node owner = g.producer("r").orElseThrow();
      // Gather's output feeds Neg too, so Gather and Shape (which only feeds Gather) stay.
      assertEquals(List.of("Concat", "Unsqueeze"), ops(ShapeArithmetic.computation(g, List.of(owner))));
    }

    @Test
    void computation_graphOutput_leftOut() {
      Graph g = reshape().output("target").build();
      Node owner = g.producer("r").orElseThrow();
      assertEquals(List.of(), ops(ShapeArithmetic.computation(g, List.of(owner))));
    }

    @Test
    void computation_nonShapeOpsAndCustomDomains_notOwned() {
      Graph g = new TinyGraph().input("x").input("h").node("Relu", "x -> t").node("Reshape", "h t -> r")
          .node("com.microsoft", "Shape", "x -> s").node("Reshape", "h s -> r2").output("r").output("r2").build();
      assertEquals(List.of(), ShapeArithmetic.computation(g,
          List.of(g.producer("r").orElseThrow(), g.producer("r2").orElseThrow())));
    }
  }

  @Test
  void dim_isLastDimOf() {
    assertTrue(dimOf("x", -1).isLastDimOf("x"));
    assertFalse(dimOf("x", -2).isLastDimOf("x"));
    assertFalse(dimOf("y", -1).isLastDimOf("x"));
    assertFalse(new Dim(OptionalLong.of(3), "x", -1).isLastDimOf("x"));
  }
}

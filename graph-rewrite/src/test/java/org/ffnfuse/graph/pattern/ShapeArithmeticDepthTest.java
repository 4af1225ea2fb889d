package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.ShapeArithmetic.Dim;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * ShapeArithmetic follows at most 24 nodes above a value (through every kind of node it looks through), then gives up:
 * a chain of 24 resolves, 25 does not.
 */
class ShapeArithmeticDepthTest {
  /** {@code n} nodes above {@code start}, each made by {@code link} ("IN -> OUT" spelled with IN and OUT). */
  static Graph chain(TinyGraph t, String start, int n, String op, String io, UnaryOperator<TinyGraph> extra) {
    extra.apply(t);
    String prev = start;
    for (int i = 0; i < n; i++) {
      t.node(op, io.replace("IN", prev).replace("OUT", "v" + i), op.equals("Concat") ? integer("axis", 0)
          : integer("unused", 0));
      prev = "v" + i;
    }
    return t.build();
  }

  static Optional<List<Dim>> elementsAtTop(String op, String io, int n, UnaryOperator<TinyGraph> extra) {
    Graph g = chain(new TinyGraph().longs("c", 5), "c", n, op, io, extra);
    return ShapeArithmetic.elements(g, "v" + (n - 1));
  }

  static OptionalLong lastDimAtTop(String op, String io, int n, UnaryOperator<TinyGraph> extra) {
    TinyGraph t = new TinyGraph().input("x").weight("w", 8, 12).node("MatMul", "x w -> m");
    return ShapeArithmetic.lastDim(chain(t, "m", n, op, io, extra), "v" + (n - 1));
  }

  static void assertElementsLimit(String op, String io, UnaryOperator<TinyGraph> extra, List<Dim> want) {
    assertEquals(Optional.of(want), elementsAtTop(op, io, 24, extra), op + " ×24");
    assertEquals(Optional.empty(), elementsAtTop(op, io, 25, extra), op + " ×25");
  }

  static final List<Dim> FIVE = List.of(new Dim(OptionalLong.of(5), "", 0));

  @Test
  void elements_throughUnsqueeze() {
    // Identity chains over a constant are constants themselves (Graph.constant looks through them): use Unsqueeze.
    assertElementsLimit("Unsqueeze", "IN ax -> OUT", t -> t.longs("ax", 0), FIVE);
  }

  @Test
  void elements_throughConcat() {
    assertElementsLimit("Concat", "IN -> OUT", t -> t, FIVE);
  }

  @Test
  void elements_throughGatherOfConstant() {
    assertElementsLimit("Gather", "IN zero -> OUT", t -> t.longs("zero", 0), FIVE);
  }

  @Test
  void elements_throughSliceOfConstant() {
    assertElementsLimit("Slice", "IN zero one -> OUT", t -> t.longs("zero", 0).longs("one", 1), FIVE);
  }

  @Test
  void elements_throughEitherOperandOfAdd() {
    List<Dim> sum = List.of(new Dim(OptionalLong.of(5 + 24), "", 0));
    assertElementsLimit("Add", "IN one -> OUT", t -> t.longs("one", 1), sum);
    assertElementsLimit("Add", "one IN -> OUT", t -> t.longs("one", 1), sum);
  }

  @Test
  void lastDim_throughIdentity() {
    assertEquals(OptionalLong.of(12), lastDimAtTop("Identity", "IN -> OUT", 24, t -> t));
    assertEquals(OptionalLong.empty(), lastDimAtTop("Identity", "IN -> OUT", 25, t -> t));
  }

  @Test
  void lastDim_throughEitherOperandOfMul() {
    for (String io : new String[] {"IN k -> OUT", "k IN -> OUT"}) {
      assertEquals(OptionalLong.of(12), lastDimAtTop("Mul", io, 24, t -> t.scalar("k", 2)), io);
      assertEquals(OptionalLong.empty(), lastDimAtTop("Mul", io, 25, t -> t.scalar("k", 2)), io);
    }
  }

  @Test
  void lastDim_reshapeTargetCountsTowardsTheLimit() {
    // Reshape(z, t) with t behind 23 Unsqueezes: Reshape (1) + 23 Unsqueezes reach the constant at depth 24.
    for (int n : new int[] {23, 24}) {
      TinyGraph t = new TinyGraph().input("z").longs("c", 0, 7).longs("ax", 0);
      String prev = "c";
      for (int i = 0; i < n; i++) {
        t.node("Unsqueeze", prev + " ax -> t" + i);
        prev = "t" + i;
      }
      Graph g = t.node("Reshape", "z " + prev + " -> r").build();
      assertEquals(n == 23 ? OptionalLong.of(7) : OptionalLong.empty(), ShapeArithmetic.lastDim(g, "r"), "" + n);
    }
  }
}

package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Expr matching, bindings and failure reasons on graphs built in code. */
class ExprTest {
  /** SiLU: x·σ(x), with x a graph input. */
  static final Expr SILU = Expr.op("Mul", Expr.any("x"), Expr.op("Sigmoid", Expr.any("x")).as("sig")).commutative();

  static List<Bindings> match(Expr e, Graph g, String value) {
    return e.matchAll(g, value, new Expr.Failure());
  }

  static List<String> ops(Bindings b) {
    return b.matched().stream().map(Node::opType).toList();
  }

  @Nested
  class Ops {
    @Test
    void commutative_sigmoidFirst_matchesSwapped() {
      Graph g = new TinyGraph().input("x").node("Sigmoid", "x -> s").node("Mul", "s x -> y").output("y").build();
      List<Bindings> all = match(SILU, g, "y");
      assertEquals(1, all.size());
      assertEquals("x", all.get(0).value("x"));
      assertEquals("Sigmoid", all.get(0).node("sig").opType());
      assertEquals(List.of("Mul", "Sigmoid"), ops(all.get(0)));
    }

    @Test
    void notCommutative_swappedInputs_noMatch() {
      Expr e = Expr.op("Mul", Expr.any("x"), Expr.op("Sigmoid", Expr.any("x")));
      Graph g = new TinyGraph().input("x").node("Sigmoid", "x -> s").node("Mul", "s x -> y").output("y").build();
      assertEquals(List.of(), match(e, g, "y"));
    }

    @Test
    void commutative_bothOrdersFit_bothReturned() {
      Expr e = Expr.op("Add", Expr.any("a"), Expr.any("b")).commutative();
      Graph g = new TinyGraph().input("p").input("q").node("Add", "p q -> y").output("y").build();
      List<Bindings> all = match(e, g, "y");
      assertEquals(2, all.size());
      assertEquals("p", all.get(0).value("a"));
      assertEquals("q", all.get(1).value("a"));
    }

    @Test
    void anyBoundTwice_differentValues_failsNamingBoth() {
      Graph g = new TinyGraph().input("x").input("z").node("Sigmoid", "z -> s").node("Mul", "x s -> y").output("y")
          .build();
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), SILU.matchAll(g, "y", f));
      assertTrue(f.reason().contains("(x)"), f.reason());
    }

    @Test
    void wrongOpType_reasonNamesTheExpectedOp() {
      Graph g = new TinyGraph().input("x").node("Relu", "x -> y").output("y").build();
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), SILU.matchAll(g, "y", f));
      assertEquals("expected Mul producing y", f.reason());
      assertTrue(f.at().contains("Relu"), f.at());
      Match<Object> miss = f.toMiss();
      assertFalse(miss.isFound());
      assertEquals(f.at() + ": " + f.reason(), miss.toString());
    }

    @Test
    void domain_mustMatch() {
      Graph g = new TinyGraph().input("x").node("com.microsoft", "Gelu", "x -> y").output("y").build();
      assertEquals(1, match(Expr.op("com.microsoft", "Gelu", Expr.any("x")), g, "y").size());
      assertEquals(0, match(Expr.op("Gelu", Expr.any("x")), g, "y").size());
    }

    @Test
    void secondOutputOrTooFewInputs_noMatch() {
      Graph g = new TinyGraph().input("x").node("Split", "x -> a b", integer("axis", -1)).node("Neg", "x -> n")
          .output("a").output("b").output("n").build();
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), Expr.op("Split", Expr.any("x")).matchAll(g, "b", f));
      assertTrue(f.reason().contains("expected output 0"), f.reason());
      assertEquals(List.of(), match(Expr.op("Neg", Expr.any("x"), Expr.any("y")), g, "n"));
      assertEquals(1, match(Expr.op("Neg", Expr.any("x")), g, "n").size());
    }

    @Test
    void where_failingTest_reasonNamesIt() {
      Graph g = new TinyGraph().input("x").node("Softmax", "x -> y", integer("axis", 1)).output("y").build();
      Expr.Op last = Expr.op("Softmax", Expr.any("x")).where((gr, n) -> n.intAttribute("axis", -1) == -1, "axis -1");
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), last.matchAll(g, "y", f));
      assertEquals("expected axis -1", f.reason());
      Expr.Op one = Expr.op("Softmax", Expr.any("x")).where((gr, n) -> n.intAttribute("axis", -1) == 1, "axis 1");
      assertEquals(1, match(one, g, "y").size());
    }

    @Test
    void failure_keepsTheDeepestReason() {
      // Mul(x, Sigmoid(x)) fails one level down, at the Tanh; the Add alternative tried after it fails at the top.
      Graph g = new TinyGraph().input("x").node("Tanh", "x -> t").node("Mul", "x t -> y").output("y").build();
      Expr e = Expr.oneOf(Expr.op("Mul", Expr.any("x"), Expr.op("Sigmoid", Expr.any("x"))),
          Expr.op("Add", Expr.any("x"), Expr.any("z")));
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), e.matchAll(g, "y", f));
      assertEquals("expected Sigmoid producing t", f.reason());
      assertTrue(f.at().contains("Tanh"), f.at());
    }

    @Test
    void failure_fresh_noMatchNowhere() {
      Expr.Failure f = new Expr.Failure();
      assertEquals("", f.at());
      assertEquals("no match", f.reason());
    }
  }

  @Nested
  class Leaves {
    @Test
    void scalar_oneElementWithinTolerance_bindsValue() {
      Graph g = new TinyGraph().input("x").scalar("half", 0.5f).scalar("near", 0.5000001f).scalar("far", 0.51f)
          .node("Mul", "x half -> a").node("Mul", "x near -> b").node("Mul", "x far -> c").output("a").output("b")
          .output("c").build();
      Expr e = Expr.op("Mul", Expr.any("x"), Expr.scalar("k", 0.5));
      assertEquals(0.5, match(e, g, "a").get(0).scalar("k"), 0);
      assertEquals("half", match(e, g, "a").get(0).value("k"));
      assertEquals(1, match(e, g, "b").size());
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), e.matchAll(g, "c", f));
      assertTrue(f.reason().contains("expected = 0.5"), f.reason());
    }

    @Test
    void scalar_largeValue_relativeTolerance() {
      Graph g = new TinyGraph().input("x").scalar("big", 1000.0005f).node("Mul", "x big -> a").output("a").build();
      assertEquals(1, match(Expr.op("Mul", Expr.any("x"), Expr.scalar("k", 1000)), g, "a").size());
      assertEquals(0, match(Expr.op("Mul", Expr.any("x"), Expr.scalar("k", 999.99)), g, "a").size());
    }

    @Test
    void scalar_vectorOrNonConstant_failsSaying() {
      Graph g = new TinyGraph().input("x").weight("v", 2).node("Mul", "x v -> a").node("Mul", "x x -> b")
          .output("a").output("b").build();
      Expr e = Expr.op("Mul", Expr.any("x"), Expr.scalar("k", v -> true, "anything"));
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), e.matchAll(g, "a", f));
      assertTrue(f.reason().contains("has 2 elements"), f.reason());
      Expr.Failure f2 = new Expr.Failure();
      assertEquals(List.of(), e.matchAll(g, "b", f2));
      assertTrue(f2.reason().contains("is not a constant"), f2.reason());
    }

    @Test
    void initializer_throughIdentity_bindsTheInitializer() {
      Graph g = new TinyGraph().input("x").weight("w", 4, 4).node("Identity", "w -> wi").node("MatMul", "x wi -> y")
          .node("MatMul", "x x -> z").output("y").output("z").build();
      Expr e = Expr.op("MatMul", Expr.any("x"), Expr.initializer("w"));
      assertEquals("w", match(e, g, "y").get(0).value("w"));
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), e.matchAll(g, "z", f));
      assertTrue(f.reason().startsWith("expected an initializer (w)"), f.reason());
    }

    @Test
    void initializer_boundTwice_mustBeTheSame() {
      Graph g = new TinyGraph().input("x").weight("w", 4, 4).weight("v", 4, 4).node("MatMul", "x w -> a")
          .node("MatMul", "x v -> b").node("Add", "a b -> y").node("MatMul", "x w -> c").node("Add", "a c -> z")
          .output("y").output("z").build();
      Expr mm = Expr.op("MatMul", Expr.any("x"), Expr.initializer("w"));
      Expr e = Expr.op("Add", mm, Expr.op("MatMul", Expr.any("x"), Expr.initializer("w")));
      Expr.Failure f = new Expr.Failure();
      assertEquals(List.of(), e.matchAll(g, "y", f));
      assertTrue(f.reason().contains("expected initializer w again"), f.reason());
      assertEquals(1, match(e, g, "z").size());
    }

    @Test
    void casts_floatCastsSkippedFewestFirst_intCastsNot() {
      Graph g = new TinyGraph().input("x").node("Cast", "x -> c1", integer("to", 10))
          .node("Cast", "c1 -> c2", integer("to", 1)).node("Cast", "x -> i", integer("to", 7)).output("c2")
          .output("i").build();
      List<Bindings> all = match(Expr.casts(Expr.any("v")), g, "c2");
      assertEquals(List.of("c2", "c1", "x"), all.stream().map(b -> b.value("v")).toList());
      assertEquals(List.of("Cast", "Cast"), ops(all.get(2)));
      assertEquals(List.of("i"), match(Expr.casts(Expr.any("v")), g, "i").stream().map(b -> b.value("v")).toList());
    }

    @Test
    void oneOf_everyAlternativeInOrder() {
      Graph g = new TinyGraph().input("x").node("Relu", "x -> y").output("y").build();
      Expr e = Expr.oneOf(Expr.op("Tanh", Expr.any("a")), Expr.op("Relu", Expr.any("a")), Expr.any("a"));
      assertEquals(List.of("x", "y"), match(e, g, "y").stream().map(b -> b.value("a")).toList());
    }
  }

  @Nested
  class Binds {
    @Test
    void missingNames_throwNamingThem() {
      Bindings b = Bindings.EMPTY.withValue("a", "v");
      assertEquals(Optional.empty(), b.optionalValue("z"));
      assertEquals(Optional.empty(), b.optionalScalar("a"));
      assertThrows(IllegalArgumentException.class, () -> b.value("z"));
      assertThrows(IllegalArgumentException.class, () -> b.node("a"));
      assertThrows(IllegalArgumentException.class, () -> b.scalar("a"));
      assertTrue(b.toString().contains("a=v"), b.toString());
    }

    @Test
    void withMatched_sameNodeTwice_keptOnce() {
      Graph g = new TinyGraph().input("x").node("Relu", "x -> y").output("y").build();
      Node n = g.producer("y").orElseThrow();
      assertEquals(1, Bindings.EMPTY.withMatched(n).withMatched(n).matched().size());
      assertThrows(UnsupportedOperationException.class, () -> Bindings.EMPTY.withMatched(n).matched().clear());
    }
  }

  @Test
  void match_mapFoundAndMiss() {
    Match<Integer> found = Match.found(2);
    assertEquals(Optional.of(3), found.map(i -> i + 1).found());
    Match<Integer> miss = Match.miss((Node) null, "why");
    assertEquals("why", miss.toString());
    assertEquals("why", miss.map(i -> i + 1).toString());
    assertFalse(miss.map(i -> i + 1).isFound());
  }
}

package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.ffnfuse.graph.testing.TinyGraph.real;
import static org.ffnfuse.graph.testing.TinyGraph.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Activations.at on each spelling of each activation, built in code from graph input {@code x} to {@code y}. */
class ActivationsTest {
  static TinyGraph x() {
    return new TinyGraph().input("x");
  }

  static ActivationMatch found(TinyGraph t) {
    Match<ActivationMatch> m = Activations.at(t.output("y").build(), "y");
    return m.found().orElseThrow(() -> new AssertionError(m.toString()));
  }

  static Activation of(TinyGraph t) {
    return found(t).activation();
  }

  static String miss(TinyGraph t) {
    Match<ActivationMatch> m = Activations.at(t.output("y").build(), "y");
    assertFalse(m.isFound(), m.toString());
    return m.toString();
  }

  @Nested
  class Decompositions {
    @Test
    void silu_sigmoidTimesX() {
      ActivationMatch a = found(x().node("Sigmoid", "x -> s").node("Mul", "x s -> y"));
      assertEquals(Activation.SILU, a.activation());
      assertEquals("x", a.input());
      assertEquals("y", a.output());
      assertEquals(2, a.nodes().size());
      assertEquals(Optional.empty(), a.bias());
    }

    @Test
    void silu_xOverOnePlusExpOfMinusX() {
      assertEquals(Activation.SILU, of(x().scalar("one", 1).node("Neg", "x -> n").node("Exp", "n -> e")
          .node("Add", "e one -> d").node("Div", "x d -> y")));
    }

    @Test
    void silu_xTimesReciprocal() {
      assertEquals(Activation.SILU, of(x().scalar("one", 1).scalar("m1", -1).node("Mul", "x m1 -> n")
          .node("Exp", "n -> e").node("Add", "one e -> d").node("Reciprocal", "d -> r").node("Mul", "x r -> y")));
    }

    @Test
    void gelu_erfWithDivBySqrtTwo() {
      assertEquals(Activation.GELU, of(x().scalar("two", 2).scalar("half", 0.5f).scalar("one", 1)
          .node("Sqrt", "two -> s2").node("Div", "x s2 -> z").node("Erf", "z -> e").node("Add", "e one -> e1")
          .node("Mul", "x e1 -> xe").node("Mul", "xe half -> y")));
    }

    @Test
    void geluTanh_mulMulInsteadOfPow() {
      assertEquals(Activation.GELU_TANH, of(x().scalar("half", 0.5f).scalar("k", 0.044715f)
          .scalar("c", 0.7978846f).scalar("one", 1).node("Mul", "x x -> x2").node("Mul", "x2 x -> x3")
          .node("Mul", "x3 k -> kx3").node("Add", "x kx3 -> in").node("Mul", "in c -> z").node("Tanh", "z -> t")
          .node("Add", "t one -> t1").node("Mul", "x half -> hx").node("Mul", "hx t1 -> y")));
    }

    @Test
    void quickGelu_sigmoidOfScaledX() {
      assertEquals(Activation.QUICK_GELU, of(x().scalar("a", 1.702f).node("Mul", "x a -> ax")
          .node("Sigmoid", "ax -> s").node("Mul", "x s -> y")));
    }

    @Test
    void relu_maxMinSubAbsForms() {
      assertEquals(Activation.RELU, of(x().scalar("zero", 0).node("Max", "x zero -> y")));
      assertEquals(Activation.RELU, of(x().scalar("zero", 0).node("Min", "x zero -> m").node("Sub", "x m -> y")));
      assertEquals(Activation.RELU, of(x().scalar("half", 0.5f).node("Abs", "x -> a").node("Add", "x a -> s")
          .node("Mul", "s half -> y")));
      assertEquals(Activation.RELU, of(x().scalar("zero", 0).node("Neg", "x -> n").node("Min", "n zero -> m")
          .node("Neg", "m -> y")));
    }

    @Test
    void floatCastsAndIdentity_passThrough() {
      assertEquals(Activation.RELU, of(x().node("Cast", "x -> c", integer("to", 10)).node("Relu", "c -> r")
          .node("Identity", "r -> i").node("Cast", "i -> y", integer("to", 1))));
    }

    @Test
    void powWithConstantExponent_evaluated() {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x^3))) with Pow.
      assertEquals(Activation.GELU_TANH, of(x().scalar("three", 3).scalar("half", 0.5f).scalar("k", 0.044715f)
          .scalar("c", 0.7978846f).scalar("one", 1).node("Pow", "x three -> x3").node("Mul", "x3 k -> kx3")
          .node("Add", "x kx3 -> in").node("Mul", "in c -> z").node("Tanh", "z -> t").node("Add", "t one -> t1")
          .node("Mul", "x half -> hx").node("Mul", "hx t1 -> y")));
    }
  }

  @Nested
  class Operators {
    @Test
    void gelu_exactOrTanhApproximation() {
      assertEquals(Activation.GELU, of(x().node("Gelu", "x -> y")));
      assertEquals(Activation.GELU_TANH, of(x().node("Gelu", "x -> y", text("approximate", "tanh"))));
      assertEquals(Activation.GELU, of(x().node("Gelu", "x -> y", text("approximate", "none"))));
    }

    @Test
    void microsoftOps() {
      assertEquals(Activation.GELU, of(x().node("com.microsoft", "Gelu", "x -> y")));
      assertEquals(Activation.QUICK_GELU, of(x().node("com.microsoft", "QuickGelu", "x -> y")));
      assertEquals(Activation.SILU, of(x().node("com.microsoft", "QuickGelu", "x -> y", real("alpha", 1f))));
      assertEquals(Activation.GELU_TANH, of(x().node("com.microsoft", "FastGelu", "x -> y")));
    }

    @Test
    void fastGeluWithBias_bindsTheBias() {
      ActivationMatch a = found(x().weight("b", 8).node("com.microsoft", "FastGelu", "x b -> y"));
      assertEquals(Activation.GELU_TANH, a.activation());
      assertEquals(Optional.of("b"), a.bias());
      assertEquals("x", a.input());
      ActivationMatch g = found(x().weight("b", 8).node("com.microsoft", "BiasGelu", "x b -> y"));
      assertEquals(Activation.GELU, g.activation());
      assertEquals(Optional.of("b"), g.bias());
    }

    @Test
    void fastGeluWithComputedBias_misses() {
      String why = miss(x().input("b").node("com.microsoft", "FastGelu", "x b -> y"));
      assertTrue(why.contains("bias input that is not an initializer"), why);
    }

    @Test
    void otherDomainOrIntegerCast_notAnActivation() {
      ActivationMatch a = found(x().node("ai.other", "Relu", "x -> y"));
      assertEquals(Activation.IDENTITY, a.activation());
      assertEquals("y", a.input());
      assertEquals(Activation.IDENTITY, of(x().node("Cast", "x -> y", integer("to", 7))));
      assertEquals(Activation.IDENTITY, of(x().node("com.microsoft", "Attention", "x -> y")));
    }
  }

  @Nested
  class Misses {
    @Test
    void graphInput_identity() {
      ActivationMatch a = Activations.at(x().build(), "x").found().orElseThrow();
      assertEquals(Activation.IDENTITY, a.activation());
      assertEquals(0, a.nodes().size());
    }

    @Test
    void twoNonConstantInputs_missNamingThem() {
      String why = miss(x().input("z").node("Mul", "x z -> y"));
      assertTrue(why.contains("reads 2 non-constant values"), why);
    }

    @Test
    void perChannelWeight_stopsAtTheProjection() {
      ActivationMatch a = found(x().weight("b", 8).node("Add", "x b -> h").node("Relu", "h -> y"));
      assertEquals(Activation.RELU, a.activation());
      assertEquals("h", a.input());
    }

    @Test
    void unknownFunction_missWithSampleValues() {
      // softplus(x): f(1) = ln(1 + e) = 1.31326.
      String why = miss(x().node("Softplus", "x -> y"));
      assertTrue(why.contains("no known activation") && why.contains("f(1)=1.31326"), why);
      assertTrue(why.contains("f(-1)=0.31326") && why.contains("f(2)=2.12693"), why);
    }

    @Test
    void sigmoidAlone_isNoActivation() {
      String why = miss(x().node("Sigmoid", "x -> y"));
      assertTrue(why.contains("f(1)=0.73106"), why);
    }

    @Test
    void moreThanFortyNodes_miss() {
      TinyGraph t = x();
      String prev = "x";
      for (int i = 0; i < 41; i++) {
        t.node("Identity", prev + " -> i" + i);
        prev = "i" + i;
      }
      t.node("Relu", prev + " -> y");
      assertTrue(miss(t).contains("larger than 40 nodes"));
      TinyGraph ok = x();
      prev = "x";
      for (int i = 0; i < 39; i++) {
        ok.node("Identity", prev + " -> i" + i);
        prev = "i" + i;
      }
      ok.node("Relu", prev + " -> y");
      assertEquals(Activation.RELU, of(ok));
    }

    @Test
    void twoBiasedOps_miss() {
      String why = miss(x().weight("b", 8).weight("c", 8).node("com.microsoft", "FastGelu", "x b -> f")
          .node("com.microsoft", "BiasGelu", "f c -> y"));
      assertTrue(why.contains("more than one activation op with a bias"), why);
    }
  }

  @Test
  void erf_referenceValues() {
    // erf to 15 digits (Abramowitz–Stegun tables).
    assertEquals(0.5204998778130465, Activations.erf(0.5), 1e-14);
    assertEquals(-0.8427007929497149, Activations.erf(-1), 1e-14);
    assertEquals(0.9953222650189527, Activations.erf(2), 1e-14);
    assertEquals(0.9995930479825550, Activations.erf(2.5), 1e-14);
    assertEquals(-0.9999779095030014, Activations.erf(-3), 1e-14);
    assertEquals(0, Activations.erf(0), 0);
  }
}

package org.ffnfuse.graph.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** GatedFfnPattern and MlpFfnPattern through {@link Ffns#producing}, on graphs built in code. */
class FfnPatternsTest {
  /** x → gate/up MatMul → Sigmoid·Mul → Mul → down MatMul = y. */
  static TinyGraph swiglu(long upWidth) {
    return new TinyGraph().input("x").weight("wg", 8, 12).weight("wu", 8, upWidth).weight("wd", 12, 8)
        .node("MatMul", "x wg -> g").node("Sigmoid", "g -> s").node("Mul", "g s -> a")
        .node("MatMul", "x wu -> u").node("Mul", "a u -> h").node("MatMul", "h wd -> y").output("y");
  }

  /** GPT-2 style: Gemm(transB=1) fc1 with bias, tanh-GELU decomposition with {@code k} for 0.044715, fc2 with bias. */
  static TinyGraph geluMlp(float k) {
    return new TinyGraph().input("x").weight("w1", 16, 8).weight("b1", 16).weight("w2", 16, 8).weight("b2", 8)
        .scalar("half", 0.5f).scalar("three", 3).scalar("k", k).scalar("c", 0.7978846f).scalar("one", 1)
        .node("Gemm", "x w1 b1 -> f", TinyGraph.integer("transB", 1))
        .node("Mul", "f half -> hf").node("Pow", "f three -> f3").node("Mul", "f3 k -> kf3").node("Add", "f kf3 -> in")
        .node("Mul", "in c -> z").node("Tanh", "z -> t").node("Add", "t one -> t1").node("Mul", "hf t1 -> act")
        .node("MatMul", "act w2 -> m2").node("Add", "m2 b2 -> y").output("y");
  }

  @Nested
  class Gated {
    @Test
    void producing_swiglu_mapsWeightsAndWidth() {
      FfnMatch m = Ffns.producing(swiglu(12).build(), "y").found().orElseThrow();
      assertEquals(FfnKind.SWIGLU, m.kind());
      assertEquals(12, m.width());
      assertEquals(8, m.hidden());
      assertEquals("wg", m.gate().orElseThrow().weight());
      assertEquals("wu", m.up().orElseThrow().weight());
      assertEquals("wd", m.down().weight());
      assertEquals(Orientation.IN_OUT, m.down().orientation());
      assertEquals("x", m.input());
    }

    @Test
    void producing_fusedGateUpSplit_findsHalves() {
      Graph g = new TinyGraph().input("x").weight("wgu", 8, 24).weight("wd", 12, 8)
          .node("MatMul", "x wgu -> gu").node("Split", "gu -> g u", TinyGraph.integer("axis", -1),
              TinyGraph.integer("num_outputs", 2))
          .node("Sigmoid", "g -> s").node("Mul", "g s -> a").node("Mul", "u a -> h").node("MatMul", "h wd -> y")
          .output("y").build();
      FfnMatch m = Ffns.producing(g, "y").found().orElseThrow();
      FusedGateUp f = m.gateUp().orElseThrow();
      assertEquals(0, f.gateOffset());
      assertEquals(12, f.upOffset());
      assertEquals(12, m.width());
    }

    @Test
    void producing_intermediateIsGraphOutput_misses() {
      Match<FfnMatch> m = Ffns.producing(swiglu(12).output("a").build(), "y");
      assertFalse(m.isFound());
      assertTrue(m.toString().contains("intermediate a"), m.toString());
    }

    @Test
    void producing_upWidthDiffersFromGate_misses() {
      Match<FfnMatch> m = Ffns.producing(swiglu(10).build(), "y");
      assertFalse(m.isFound());
    }
  }

  @Nested
  class Mlp {
    @Test
    void producing_geluTanhDecomposition_geluMlpWithBiases() {
      FfnMatch m = Ffns.producing(geluMlp(0.044715f).build(), "y").found().orElseThrow();
      assertEquals(FfnKind.GELU_MLP, m.kind());
      assertEquals(Activation.GELU_TANH, m.activation());
      assertEquals(Orientation.OUT_IN, m.up().orElseThrow().orientation(), "Gemm transB=1 reads [out, in]");
      assertEquals("b1", m.up().get().bias().orElseThrow());
      assertEquals("b2", m.down().bias().orElseThrow());
      assertEquals(16, m.width());
    }

    @Test
    void producing_wrongGeluConstant_misses() {
      Match<FfnMatch> m = Ffns.producing(geluMlp(0.05f).build(), "y");
      assertFalse(m.isFound());
      assertTrue(m.toString().contains("no known activation"), m.toString());
    }

    @Test
    void producing_biasAddBeforeErfGelu_biasBelongsToFc1() {
      // Our exporter's GPT-2 form: MatMul, a bias Add, then 0.5·x·(1+Erf(x/√2)).
      Graph g = new TinyGraph().input("x").weight("w1", 8, 16).weight("b1", 16).weight("w2", 16, 8).weight("b2", 8)
          .scalar("sqrt2", 1.4142135f).scalar("one", 1).scalar("half", 0.5f)
          .node("MatMul", "x w1 -> m1").node("Add", "m1 b1 -> f").node("Div", "f sqrt2 -> d").node("Erf", "d -> e")
          .node("Add", "e one -> e1").node("Mul", "f e1 -> m").node("Mul", "m half -> act")
          .node("MatMul", "act w2 -> m2").node("Add", "m2 b2 -> y").output("y").build();
      FfnMatch m = Ffns.producing(g, "y").found().orElseThrow();
      assertEquals(Activation.GELU, m.activation());
      assertEquals("b1", m.up().orElseThrow().bias().orElseThrow());
      assertTrue(m.activationBias().isEmpty());
    }

    @Test
    void producing_twoLinearsWithoutActivation_misses() {
      Graph g = new TinyGraph().input("x").weight("w1", 8, 16).weight("w2", 16, 8).node("MatMul", "x w1 -> h")
          .node("MatMul", "h w2 -> y").output("y").build();
      assertFalse(Ffns.producing(g, "y").isFound());
    }
  }

  @Nested
  class ActivationOps {
    @Test
    void at_erfGeluDecomposition_isGelu() {
      Graph g = new TinyGraph().input("x").scalar("sqrt2", 1.4142135f).scalar("one", 1).scalar("half", 0.5f)
          .node("Div", "x sqrt2 -> d").node("Erf", "d -> e").node("Add", "e one -> e1").node("Mul", "x e1 -> m")
          .node("Mul", "m half -> y").output("y").build();
      assertEquals(Activation.GELU, Activations.at(g, "y").found().orElseThrow().activation());
    }

    @Test
    void at_fastGeluWithBias_recordsBias() {
      Graph g = new TinyGraph().input("x").weight("b", 8).node("com.microsoft", "FastGelu", "x b -> y")
          .output("y").build();
      ActivationMatch a = Activations.at(g, "y").found().orElseThrow();
      assertEquals(Activation.GELU_TANH, a.activation());
      assertEquals("b", a.bias().orElseThrow());
    }
  }
}

package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.ffnfuse.graph.testing.TinyGraph.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** LayerNormPattern (decomposed), NormOpPattern and SkipNormOpPattern. */
class NormPatternsTest {
  static Graph decomposedLayerNorm(long axis, long biasSize) {
    return new TinyGraph().input("x").weight("w", 8).weight("b", biasSize).scalar("two", 2).scalar("eps", 1e-5f)
        .node("ReduceMean", "x -> m", ints("axes", axis)).node("Sub", "x m -> d").node("Pow", "d two -> d2")
        .node("ReduceMean", "d2 -> v", ints("axes", -1)).node("Add", "v eps -> ve").node("Sqrt", "ve -> s")
        .node("Div", "d s -> n").node("Mul", "n w -> nw").node("Add", "nw b -> y").output("y").build();
  }

  @Nested
  class Decomposed {
    @Test
    void match_layerNorm_findsWeightAndBias() {
      Graph g = decomposedLayerNorm(-1, 8);
      NormMatch m = new LayerNormPattern().match(g, g.producer("y").orElseThrow()).found().orElseThrow();
      assertEquals(NormKind.LAYER_NORM, m.kind());
      assertEquals("b", m.bias().orElseThrow());
      assertEquals("x", m.input());
    }

    @Test
    void match_meanOverOtherAxis_misses() {
      Graph g = decomposedLayerNorm(1, 8);
      assertFalse(new LayerNormPattern().match(g, g.producer("y").orElseThrow()).isFound());
    }

    @Test
    void match_biasSizeDiffers_misses() {
      Graph g = decomposedLayerNorm(-1, 4);
      assertFalse(new LayerNormPattern().match(g, g.producer("y").orElseThrow()).isFound());
    }
  }

  @Nested
  class Operators {
    @Test
    void match_simplifiedLayerNormalization_isRmsNorm() {
      Graph g = new TinyGraph().input("x").weight("w", 8).node("SimplifiedLayerNormalization", "x w -> y",
          TinyGraph.real("epsilon", 1e-6f)).output("y").build();
      NormMatch m = new NormOpPattern().match(g, g.producer("y").orElseThrow()).found().orElseThrow();
      assertEquals(NormKind.RMS_NORM, m.kind());
      assertEquals(1e-6, m.epsilon(), 1e-12);
    }

    @Test
    void match_layerNormalizationOverAxisZero_misses() {
      Graph g = new TinyGraph().input("x").weight("w", 8).weight("b", 8).node("LayerNormalization", "x w b -> y",
          integer("axis", 0)).output("y").build();
      assertFalse(new NormOpPattern().match(g, g.producer("y").orElseThrow()).isFound());
    }

    @Test
    void match_skipSimplified_exposesSum() {
      Graph g = new TinyGraph().input("x").input("s").weight("w", 8)
          .node("com.microsoft", "SkipSimplifiedLayerNormalization", "x s w -> y _m _v sum").output("y")
          .output("sum").build();
      NormMatch m = new SkipNormOpPattern().match(g, g.producer("y").orElseThrow()).found().orElseThrow();
      assertEquals(NormForm.SKIP_OPERATOR, m.form());
      assertEquals("sum", m.sum().orElseThrow());
      assertEquals("s", m.skip().orElseThrow());
    }

    @Test
    void match_skipWithGammaNotInitializer_misses() {
      Graph g = new TinyGraph().input("x").input("s").input("w")
          .node("com.microsoft", "SkipLayerNormalization", "x s w -> y").output("y").build();
      assertFalse(new SkipNormOpPattern().match(g, g.producer("y").orElseThrow()).isFound());
    }

    @Test
    void match_skipLayerNormWithBias_recordsSkipBias() {
      Graph g = new TinyGraph().input("h").input("s").weight("w", 8).weight("b", 8).weight("bias", 8)
          .node("com.microsoft", "SkipLayerNormalization", "h s w b bias -> y _m _v sum").output("y").output("sum")
          .build();
      NormMatch m = new SkipNormOpPattern().match(g, g.producer("y").orElseThrow()).found().orElseThrow();
      assertEquals("bias", m.skipBias().orElseThrow());
      assertEquals("b", m.bias().orElseThrow());
    }

    @Test
    void match_skipBiasSizeDiffers_misses() {
      Graph g = new TinyGraph().input("h").input("s").weight("w", 8).weight("bias", 4)
          .node("com.microsoft", "SkipSimplifiedLayerNormalization", "h s w bias -> y").output("y").build();
      assertFalse(new SkipNormOpPattern().match(g, g.producer("y").orElseThrow()).isFound());
    }

    @Test
    void match_skipBiasNotInitializer_misses() {
      Graph g = new TinyGraph().input("h").input("s").input("bias").weight("w", 8)
          .node("com.microsoft", "SkipSimplifiedLayerNormalization", "h s w bias -> y").output("y").build();
      assertFalse(new SkipNormOpPattern().match(g, g.producer("y").orElseThrow()).isFound());
    }
  }
}

package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RmsNormPatternTest {
  private final RmsNormPattern pattern = new RmsNormPattern();

  /** x → Pow → ReduceMean → Add(eps) → Sqrt → Reciprocal → Mul(x) → Mul(w) = y. */
  static TinyGraph rms(long[] axes, String epsInput, float exponent, long... weightDims) {
    return new TinyGraph().input("x").weight("w", weightDims).scalar("two", exponent).scalar("eps", 1e-6f)
        .node("Pow", "x two -> sq").node("ReduceMean", "sq -> ms", ints("axes", axes))
        .node("Add", "ms " + epsInput + " -> v").node("Sqrt", "v -> r").node("Reciprocal", "r -> inv")
        .node("Mul", "x inv -> n").node("Mul", "w n -> y").output("y");
  }

  static Match<NormMatch> matchAtOutput(Graph g, RmsNormPattern p) {
    Node anchor = g.producer("y").orElseThrow();
    return p.match(g, anchor);
  }

  @Nested
  class Positive {
    @Test
    void match_llamaForm_findsInputWeightAndEps() {
      NormMatch m = matchAtOutput(rms(new long[] {-1}, "eps", 2, 8).build(), pattern).found().orElseThrow();
      assertEquals("x", m.input());
      assertEquals("w", m.weight().orElseThrow());
      assertEquals(1e-6, m.epsilon(), 1e-12);
      assertEquals(0, m.gainOffset());
      assertEquals(NormKind.RMS_NORM, m.kind());
      assertEquals(7, m.nodes().size(), "Pow, ReduceMean, Add, Sqrt, Reciprocal, Mul, Mul");
    }

    @Test
    void match_castsDivAndGemmaOnePlusW_recordsOffset() {
      Graph g = new TinyGraph().input("x").weight("w", 8).scalar("two", 2).scalar("eps", 1e-5f).scalar("one", 1)
          .node("Cast", "x -> xc", TinyGraph.integer("to", 1)).node("Mul", "xc xc -> sq")
          .node("ReduceMean", "sq -> ms", ints("axes", -1)).node("Add", "eps ms -> v").node("Sqrt", "v -> r")
          .node("Div", "one r -> inv").node("Mul", "xc inv -> n").node("Cast", "n -> nc", TinyGraph.integer("to", 1))
          .node("Add", "w one -> gain").node("Mul", "nc gain -> y").output("y").build();
      NormMatch m = matchAtOutput(g, pattern).found().orElseThrow();
      assertEquals(1.0, m.gainOffset());
      assertEquals("w", m.weight().orElseThrow());
    }
  }

  @Nested
  class NearMiss {
    @Test
    void match_reduceMeanOverOtherAxis_misses() {
      Match<NormMatch> m = matchAtOutput(rms(new long[] {1}, "eps", 2, 8).build(), pattern);
      assertFalse(m.isFound());
      assertTrue(m.toString().contains("axes"), m.toString());
    }

    @Test
    void match_epsNotConstant_misses() {
      Graph g = rms(new long[] {-1}, "epsIn", 2, 8).input("epsIn").build();
      assertFalse(matchAtOutput(g, pattern).isFound());
    }

    @Test
    void match_cubeInsteadOfSquare_misses() {
      assertFalse(matchAtOutput(rms(new long[] {-1}, "eps", 3, 8).build(), pattern).isFound());
    }

    @Test
    void match_weightNotAVector_misses() {
      Match<NormMatch> m = matchAtOutput(rms(new long[] {-1}, "eps", 2, 8, 1).build(), pattern);
      assertFalse(m.isFound());
      assertTrue(m.toString().contains("shape"), m.toString());
    }

    @Test
    void match_intermediateUsedOutside_misses() {
      Graph g = rms(new long[] {-1}, "eps", 2, 8).output("inv").build();
      Match<NormMatch> m = matchAtOutput(g, pattern);
      assertFalse(m.isFound());
      assertTrue(m.toString().contains("inv"), m.toString());
    }
  }
}

package org.ffnfuse.graph.fusion;

import static org.ffnfuse.graph.testing.TinyDecoder.HIDDEN;
import static org.ffnfuse.graph.testing.TinyDecoder.WIDTH;
import static org.ffnfuse.graph.testing.TinyDecoder.block;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FfnFusionPass on a tiny decoder built in code (block 0 attention + SwiGLU, blocks 1 and 2 SwiGLU
 * only, hidden 8, width 16): the chain 0-2 becomes one SwiGLU of width 48 whose weights are the
 * members' weights with their norm gains folded in, computed here from the original initializers.
 */
class FusedChainWeightsTest {
  private static Graph decoder() {
    TinyGraph t = embedded();
    block(t, "h", "b0");
    ffnBlock(t, "b0y", "b1");
    ffnBlock(t, "b1y", "b2");
    return head(t, "b2y").build();
  }

  /** Element (i, j) of an [in, out] or [out, in] weight read as [in, out]. */
  private static float at(float[] w, Orientation o, long in, long out, int i, int j) {
    return o == Orientation.IN_OUT ? w[(int) (i * out + j)] : w[(int) (j * in + i)];
  }

  @ParameterizedTest(name = "inline {0}")
  @ValueSource(booleans = {true, false})
  void run_chainZeroToTwo_oneWideSwigluWithFoldedGains(boolean inline) throws Exception {
    Graph g = decoder();
    FfnFusionPass pass =
        FfnFusionPass.of(
            FusionPlan.parse("0-2"), FfnFusionPass.Options.defaults().withInline(inline));
    Graph fused = pass.run(g).graph();
    assertEquals(g.inputs(), fused.inputs());
    assertEquals(g.outputs(), fused.outputs());
    for (int k = 1; k <= 2; k++) {
      assertTrue(
          fused.initializer("b" + k + "down").isEmpty(), "member " + k + "'s weights removed");
      assertTrue(fused.initializer("b" + k + "n2_w").isEmpty(), "member " + k + "'s norm removed");
    }
    if (!inline) {
      assertTrue(fused.nodes().stream().anyMatch(n -> n.is("ai.ffnfuse", "FusedFFN")));
      return;
    }
    TransformerStructure s = TransformerStructure.recognize(fused);
    assertEquals(1, s.blocks().size());
    assertTrue(s.block(0).attention().isPresent());
    FfnMatch f = s.block(0).ffn().orElseThrow().ffn();
    assertEquals(3 * WIDTH, f.width());
    // Block 0's norm now has unit gain; the gains moved into the gate and up rows.
    float[] unit =
        fused.constantFloats(s.block(0).ffn().get().norm().weight().orElseThrow()).orElseThrow();
    for (float x : unit) {
      assertEquals(1f, x);
    }
    float[] gate = fused.constantFloats(f.gate().orElseThrow().weight()).orElseThrow();
    float[] up = fused.constantFloats(f.up().orElseThrow().weight()).orElseThrow();
    float[] down = fused.constantFloats(f.down().weight()).orElseThrow();
    long w = 3 * WIDTH;
    for (int k = 0; k < 3; k++) {
      float[] gain = g.constantFloats("b" + k + "n2_w").orElseThrow();
      float[] g0 = g.constantFloats("b" + k + "gate").orElseThrow();
      float[] u0 = g.constantFloats("b" + k + "up").orElseThrow();
      float[] d0 = g.constantFloats("b" + k + "down").orElseThrow();
      for (int i = 0; i < HIDDEN; i++) {
        for (int j = 0; j < WIDTH; j++) {
          int col = (int) (k * WIDTH + j);
          float expectGate = (float) ((double) gain[i] * g0[(int) (i * WIDTH + j)]);
          float expectUp = (float) ((double) gain[i] * u0[(int) (i * WIDTH + j)]);
          assertEquals(expectGate, at(gate, f.gate().get().orientation(), HIDDEN, w, i, col), 1e-6);
          assertEquals(expectUp, at(up, f.up().get().orientation(), HIDDEN, w, i, col), 1e-6);
          assertEquals(
              d0[(int) (j * HIDDEN + i)], at(down, f.down().orientation(), w, HIDDEN, col, i), 0);
        }
      }
    }
    assertFalse(f.gate().get().bias().isPresent());
  }
}

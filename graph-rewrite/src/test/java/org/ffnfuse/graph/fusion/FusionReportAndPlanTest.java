package org.ffnfuse.graph.fusion;

import static org.ffnfuse.graph.testing.TinyDecoder.WIDTH;
import static org.ffnfuse.graph.testing.TinyDecoder.block;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pass.PassResult;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * What the fusion passes report and which plans they refuse, on a tiny decoder of four blocks: 0
 * and 2 with attention and FFN, 1 and 3 FFN only (chains 0-1 and 2-3).
 */
class FusionReportAndPlanTest {
  private static Graph decoder() {
    TinyGraph t = embedded();
    block(t, "h", "b0");
    ffnBlock(t, "b0y", "b1");
    block(t, "b1y", "b2");
    ffnBlock(t, "b2y", "b3");
    return head(t, "b3y").build();
  }

  private static FfnFusionPass fusion(String plan, boolean inline) {
    return FfnFusionPass.of(
        FusionPlan.parse(plan), FfnFusionPass.Options.defaults().withInline(inline));
  }

  @Test
  void run_twoChainsInline_reportAndTwoWideBlocks() throws Exception {
    Graph g = decoder();
    PassResult r = fusion("0-1,2-3", true).run(g);
    assertEquals(
        "FfnFusion: fused 2 chains, 4 FFNs → 2 (inline operators; "
            + g.nodes().size()
            + " nodes → "
            + r.graph().nodes().size()
            + ")",
        r.report());
    TransformerStructure s = TransformerStructure.recognize(r.graph());
    assertEquals(2, s.blocks().size());
    assertEquals(2 * WIDTH, s.block(0).ffn().orElseThrow().ffn().width());
    assertEquals(2 * WIDTH, s.block(1).ffn().orElseThrow().ffn().width());
  }

  @Test
  void run_oneChainAsFunction_reportNamesTheFunction() {
    PassResult r = fusion("2-3", false).run(decoder());
    String expected =
        "FfnFusion: fused 1 chain, 2 FFNs → 1 (function " + FusedFfnNodes.DOMAIN + ".";
    assertEquals(expected, r.report().substring(0, expected.length()));
  }

  @Test
  void parallelForm_twoChains_reportCountsFfns() {
    PassResult r = ParallelFormPass.of(FusionPlan.parse("0-1,2-3")).run(decoder());
    assertEquals("ParallelForm: 2 chain(s), 4 FFNs read their chain's input", r.report());
  }

  @Test
  void run_chainPastTheLastBlock_bothPassesRefuse() {
    Graph g = decoder();
    String expected = "chain 2-4 crosses the end of the model (blocks 0-3)";
    assertEquals(
        expected,
        assertThrows(IllegalArgumentException.class, () -> fusion("2-4", true).run(g))
            .getMessage());
    assertEquals(
        expected,
        assertThrows(
                IllegalArgumentException.class,
                () -> ParallelFormPass.of(FusionPlan.parse("2-4")).run(g))
            .getMessage());
  }

  @Test
  void run_chainOverAnAttentionBlock_refused() {
    String m =
        assertThrows(IllegalArgumentException.class, () -> fusion("1-2", false).run(decoder()))
            .getMessage();
    assertEquals(
        "chain 1-2: block 2 has attention; only the chain's first block may (remove it first with"
            + " drop-attention, or start the chain at 2)",
        m);
  }

  @Test
  void run_chainsSharingOneBlock_refusedAsOverlapping() {
    String m =
        assertThrows(IllegalArgumentException.class, () -> fusion("0-1,1-1", true).run(decoder()))
            .getMessage();
    assertEquals("chains 0-1 and 1-1 overlap", m);
  }
}

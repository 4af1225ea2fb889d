package org.ffnfuse.graph.structure;

import static org.ffnfuse.graph.testing.TinyDecoder.HIDDEN;
import static org.ffnfuse.graph.testing.TinyDecoder.VOCAB;
import static org.ffnfuse.graph.testing.TinyDecoder.WIDTH;
import static org.ffnfuse.graph.testing.TinyDecoder.block;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.structure.ModelSummary.BlockSummary;
import org.ffnfuse.graph.structure.ModelSummary.ChainSummary;
import org.ffnfuse.graph.testing.TinyDecoder;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * ModelSummary of a tiny decoder built in code (hidden 8, SwiGLU 16, vocab 32), counts computed
 * here.
 */
class ModelSummaryTinyTest {
  private static final long ATTENTION = 4 * HIDDEN * HIDDEN;
  private static final long FFN = 3 * HIDDEN * WIDTH;

  private static BlockSummary summary(int i, boolean attention) {
    return new BlockSummary(
        i,
        attention,
        attention ? "decomposed" : "none",
        "swiglu",
        WIDTH,
        "silu",
        "rmsnorm",
        false,
        attention ? ATTENTION : 0,
        FFN);
  }

  @Test
  void of_attentionBlockThenTwoFfnOnly_countsAndChain() throws Exception {
    TinyGraph t = embedded();
    block(t, "h", "b0");
    ffnBlock(t, "b0y", "b1");
    ffnBlock(t, "b1y", "b2");
    Graph g = head(t, "b2y").build();
    ModelSummary m = ModelSummary.of(TransformerStructure.recognize(g), g);
    assertEquals(HIDDEN, m.hidden());
    assertEquals(VOCAB, m.vocab());
    assertEquals(List.of(summary(0, true), summary(1, false), summary(2, false)), m.blocks());
    assertEquals(List.of(new ChainSummary(0, 2)), m.chains());
    assertEquals("rmsnorm", m.finalNorm());
    assertFalse(m.tiedEmbeddings());
    assertEquals(ATTENTION, m.parameters().attention());
    assertEquals(3 * FFN, m.parameters().ffn());
    assertEquals(VOCAB * HIDDEN, m.parameters().embedding());
    // Embedding, 5 norms of 8 (two in block 0, one in blocks 1 and 2, the final one), attention, 3
    // FFNs,
    // head.
    long total = VOCAB * HIDDEN + 5 * HIDDEN + ATTENTION + 3 * FFN + HIDDEN * VOCAB;
    assertEquals(total, m.parameters().total());
  }

  @Test
  void of_attentionOnlyBlock_noneAndZeros() throws Exception {
    TinyGraph t = embedded();
    TinyDecoder.norm(t, "h", "an");
    TinyDecoder.attention(t, "an", "a", "ao");
    t.node("Add", "h ao -> y");
    Graph g = head(t, "y").build();
    BlockSummary b = ModelSummary.of(TransformerStructure.recognize(g), g).blocks().get(0);
    assertEquals(
        new BlockSummary(0, true, "decomposed", "none", 0, "none", "rmsnorm", false, ATTENTION, 0),
        b);
  }

  @Test
  void chainsOf_runsOfFfnBlocksAfterTheFirstWithoutAttention() {
    BlockSummary attnOnly =
        new BlockSummary(0, true, "decomposed", "none", 0, "none", "rmsnorm", false, 1, 0);
    List<BlockSummary> blocks =
        List.of(
            summary(0, true),
            summary(1, false),
            summary(2, true),
            summary(3, false),
            summary(4, false),
            attnOnly,
            summary(6, false),
            summary(7, true));
    assertEquals(
        List.of(new ChainSummary(0, 1), new ChainSummary(2, 4)), ModelSummary.chainsOf(blocks));
    assertEquals(
        List.of(new ChainSummary(0, 1)),
        ModelSummary.chainsOf(List.of(summary(0, false), summary(1, false))));
    assertEquals(List.of(), ModelSummary.chainsOf(List.of(summary(0, false))));
    assertEquals(List.of(), ModelSummary.chainsOf(List.of()));
  }

  @Test
  void of_positionTableBiasAndOneElementScale_countedWhereTheyBelong() throws Exception {
    // GPT-2-like: wte[ids] + wpe[positions]; attention with a q bias [8] (a parameter) and a [1]
    // scale (not one).
    TinyGraph t =
        embedded()
            .weight("wpe", 16, HIDDEN)
            .longs("positions", 0, 1, 2)
            .node("Gather", "wpe positions -> p")
            .node("Add", "h p -> x");
    TinyDecoder.norm(t, "x", "n");
    t.weight("wq", HIDDEN, HIDDEN)
        .weight("bq", HIDDEN)
        .weight("wk", HIDDEN, HIDDEN)
        .weight("wv", HIDDEN, HIDDEN)
        .weight("wo", HIDDEN, HIDDEN)
        .weight("scale", 1)
        .node("MatMul", "n wq -> q0")
        .node("Add", "q0 bq -> q")
        .node("MatMul", "n wk -> k")
        .node("MatMul", "n wv -> v")
        .node("MatMul", "q k -> sc")
        .node("Div", "sc scale -> scs")
        .node("Softmax", "scs -> pr")
        .node("MatMul", "pr v -> ctx")
        .node("MatMul", "ctx wo -> ao")
        .node("Add", "x ao -> y");
    Graph g = head(t, "y").build();
    ModelSummary m = ModelSummary.of(TransformerStructure.recognize(g), g);
    long attention = 4 * HIDDEN * HIDDEN + HIDDEN;
    assertEquals(attention, m.blocks().get(0).attentionParameters());
    assertEquals(attention, m.parameters().attention());
    assertEquals(VOCAB * HIDDEN + 16 * HIDDEN, m.parameters().embedding());
    // Float initializers only (not the int64 positions): wte, wpe, 2 norms, attention, scale, head.
    long total = VOCAB * HIDDEN + 16 * HIDDEN + 2 * HIDDEN + attention + 1 + HIDDEN * VOCAB;
    assertEquals(total, m.parameters().total());
  }
}

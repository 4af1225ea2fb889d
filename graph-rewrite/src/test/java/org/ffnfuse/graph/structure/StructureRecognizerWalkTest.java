package org.ffnfuse.graph.structure;

import static org.ffnfuse.graph.testing.TinyDecoder.HIDDEN;
import static org.ffnfuse.graph.testing.TinyDecoder.WIDTH;
import static org.ffnfuse.graph.testing.TinyDecoder.attention;
import static org.ffnfuse.graph.testing.TinyDecoder.block;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffn;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.ffnfuse.graph.testing.TinyDecoder.norm;
import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.testing.TinyDecoder;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The residual-stream walk on tiny decoders built in code: sequential, FFN-only and parallel
 * blocks.
 */
class StructureRecognizerWalkTest {
  @Nested
  class Sequential {
    @Test
    void recognize_twoBlocks_attentionAndFfnPerBlock() throws Exception {
      TinyGraph t = embedded();
      block(t, "h", "b0");
      block(t, "b0y", "b1");
      TransformerStructure s = TransformerStructure.recognize(head(t, "b1y").build());
      assertEquals(2, s.blocks().size());
      assertEquals(HIDDEN, s.hidden());
      assertEquals(List.of(), s.chains());
      for (Block b : s.blocks()) {
        String p = "b" + b.index();
        AttentionBranch a = b.attention().orElseThrow();
        assertEquals("decomposed", a.kind());
        assertEquals(7, a.nodes().size(), "q, k, v, scores, Softmax, context, o: " + a.nodes());
        assertEquals(p + "n1", a.norm().output());
        assertEquals(p + "ao", a.output());
        assertEquals(p + "x1", a.residual().output().orElseThrow());
        FfnBranch f = b.ffn().orElseThrow();
        assertEquals(p + "down", f.ffn().down().weight());
        assertEquals(WIDTH, f.ffn().width());
        assertEquals(p + "n2", f.norm().output());
        assertEquals(p + "x1", f.residual().stream());
        assertEquals(p + "y", f.residual().output().orElseThrow());
        assertEquals("Add", f.residual().add().opType());
        assertFalse(b.parallelResidual());
      }
      assertEquals("b1y", s.finalNorm().input());
      assertEquals("head", s.lmHead().weight());
      assertFalse(s.lmHead().tied());
      assertEquals("logits", s.lmHead().output());
    }

    @Test
    void recognize_ffnOnlyBlocks_formOneChainWithTheBlockBefore() throws Exception {
      TinyGraph t = embedded();
      block(t, "h", "b0");
      ffnBlock(t, "b0y", "b1");
      ffnBlock(t, "b1y", "b2");
      block(t, "b2y", "b3");
      TransformerStructure s = TransformerStructure.recognize(head(t, "b3y").build());
      assertEquals(4, s.blocks().size());
      assertTrue(s.block(0).attention().isPresent());
      assertTrue(s.block(1).attention().isEmpty());
      assertTrue(s.block(2).attention().isEmpty());
      assertTrue(s.block(3).attention().isPresent());
      assertEquals(List.of(new Chain(0, 2)), s.chains());
      assertEquals(Optional.of(new Chain(0, 2)), s.chainOf(2));
      assertEquals(Optional.empty(), s.chainOf(3));
    }

    @Test
    void recognize_attentionOnlyBlockThenFullBlock_twoBlocks() throws Exception {
      TinyGraph t = embedded();
      norm(t, "h", "a0n");
      attention(t, "a0n", "a0", "a0o");
      t.node("Add", "h a0o -> a0y");
      block(t, "a0y", "b1");
      TransformerStructure s = TransformerStructure.recognize(head(t, "b1y").build());
      assertEquals(2, s.blocks().size());
      assertTrue(s.block(0).attention().isPresent());
      assertTrue(s.block(0).ffn().isEmpty());
      assertEquals("a0n", s.block(0).attention().get().norm().output());
      assertEquals("b1n1", s.block(1).attention().orElseThrow().norm().output());
      assertTrue(s.block(1).ffn().isPresent());
    }

    @Test
    void recognize_trailingAttentionWithoutFfn_lastBlockHasNoFfn() throws Exception {
      TinyGraph t = embedded();
      block(t, "h", "b0");
      norm(t, "b0y", "a1n");
      attention(t, "a1n", "a1", "a1o");
      t.node("Add", "b0y a1o -> a1y");
      TransformerStructure s = TransformerStructure.recognize(head(t, "a1y").build());
      assertEquals(2, s.blocks().size());
      assertTrue(s.block(1).attention().isPresent());
      assertTrue(s.block(1).ffn().isEmpty());
      assertEquals(1, s.block(1).index());
    }

    @Test
    void recognize_streamCastToFloatBeforeEachNorm_castIsAnAlias() throws Exception {
      TinyGraph t = embedded().node("Cast", "h -> hc", integer("to", 1));
      norm(t, "hc", "n1");
      attention(t, "n1", "a", "ao");
      t.node("Add", "hc ao -> x1");
      ffnBlock(t, "x1", "b");
      TransformerStructure s = TransformerStructure.recognize(head(t, "by").build());
      assertEquals(1, s.blocks().size());
      assertEquals("hc", s.block(0).attention().orElseThrow().norm().input());
      assertEquals("by", s.finalNorm().input());
    }

    @Test
    void recognize_fusedMultiHeadAttentionOp_kindIsTheOpName() throws Exception {
      TinyGraph t = embedded();
      norm(t, "h", "n1");
      t.weight("wqkv", HIDDEN, 3 * HIDDEN)
          .weight("wo", HIDDEN, HIDDEN)
          .node("MatMul", "n1 wqkv -> qkv")
          .node("com.microsoft", "MultiHeadAttention", "qkv -> ctx", integer("num_heads", 2))
          .node("MatMul", "ctx wo -> ao")
          .node("Add", "h ao -> x1");
      ffnBlock(t, "x1", "b");
      TransformerStructure s = TransformerStructure.recognize(head(t, "by").build());
      AttentionBranch a = s.block(0).attention().orElseThrow();
      assertEquals("MultiHeadAttention", a.kind());
      assertEquals(3, a.nodes().size());
    }

    @Test
    void recognize_zeroAttentionExportedAsAddOfZeros_skipsIt() throws Exception {
      // x + Expand(0, shape(x)), x + Cast(0) and x + 0 stand for removed attention; the walk steps
      // over them.
      TinyGraph t =
          embedded()
              .scalar("zero", 0)
              .node("Shape", "h -> sh")
              .node("Expand", "zero sh -> z")
              .node("Add", "h z -> h1")
              .node("Cast", "zero -> zc", integer("to", 1))
              .node("Add", "zc h1 -> h2")
              .node("Add", "h2 zero -> h3");
      ffnBlock(t, "h3", "b");
      TransformerStructure s = TransformerStructure.recognize(head(t, "by").build());
      assertEquals(1, s.blocks().size());
      assertTrue(s.block(0).attention().isEmpty());
      assertEquals("h3", s.block(0).ffn().orElseThrow().norm().input());
    }
  }

  @Nested
  class Parallel {
    /** GPT-J: one norm, attention and FFN both read it, their sum is added to the stream. */
    @Test
    void recognize_sharedNormParallelPair_oneParallelBlock() throws Exception {
      TinyGraph t = embedded();
      norm(t, "h", "n");
      attention(t, "n", "a", "ao");
      ffn(t, "n", "f", "fo");
      t.node("Add", "fo ao -> branch").node("Add", "h branch -> y");
      TransformerStructure s = TransformerStructure.recognize(head(t, "y").build());
      assertEquals(1, s.blocks().size());
      Block b = s.block(0);
      assertTrue(b.parallelResidual());
      assertEquals("ao", b.attention().orElseThrow().output());
      assertEquals("fdown", b.ffn().orElseThrow().ffn().down().weight());
      assertEquals("y", b.ffn().get().residual().output().orElseThrow());
      assertEquals("h", b.ffn().get().residual().stream());
    }
  }

  @Test
  void recognize_decomposedRmsNormBeforeTheHead_finalNormDecomposed() throws Exception {
    // y = x * 1/sqrt(mean(x^2) + eps) * w, as the PyTorch exporters write RMSNorm.
    TinyGraph t =
        embedded()
            .scalar("two", 2)
            .scalar("eps", 1e-6f)
            .weight("fw", HIDDEN)
            .node("Pow", "h two -> sq")
            .node("ReduceMean", "sq -> ms", TinyGraph.ints("axes", -1), integer("keepdims", 1))
            .node("Add", "ms eps -> mse")
            .node("Sqrt", "mse -> rms")
            .node("Reciprocal", "rms -> inv")
            .node("Mul", "h inv -> xn")
            .node("Mul", "fw xn -> fn")
            .weight("head", HIDDEN, TinyDecoder.VOCAB)
            .node("MatMul", "fn head -> logits")
            .output("logits");
    TransformerStructure s = TransformerStructure.recognize(t.build());
    assertEquals(org.ffnfuse.graph.pattern.NormForm.DECOMPOSED, s.finalNorm().form());
    assertEquals(org.ffnfuse.graph.pattern.NormKind.RMS_NORM, s.finalNorm().kind());
    assertEquals("fn", s.finalNorm().output());
    assertEquals(0, s.blocks().size());
  }
}

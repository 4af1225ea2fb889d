package org.ffnfuse.graph.structure;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.FfnKind;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.NormForm;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * Graphs shaped as ONNX Runtime GenAI's model builder writes them (hidden 64, FFN 96, vocab 40, int4 block 32), built
 * in code: GroupQueryAttention on a packed q/k/v MatMulNBits, the stream carried by SkipSimplifiedLayerNormalization
 * (output 0 feeds the next branch, output 3 is the sum), the last one the final norm.
 */
class GenAiStructureTest {
  private static final long VOCAB = 40;

  private enum Emb { PLAIN, TRANSPOSED, QUANTIZED }

  private static TinyGraph nbits(TinyGraph t, String name, String in, String out, long k, long n) {
    return t.bytes(name, n, k / 32, 16).weight(name + "_s", n, k / 32).node("com.microsoft", "MatMulNBits",
        in + " " + name + " " + name + "_s -> " + out, integer("K", k), integer("N", n), integer("bits", 4),
        integer("block_size", 32));
  }

  /** {@code blocks} GenAI blocks; {@code ffnReadsSum}: block 0's FFN reads output 3 (the raw sum) of its norm. */
  private static Graph genAi(int blocks, Emb emb, boolean ffnReadsSum) {
    TinyGraph t = new TinyGraph().input("ids").input("seqlens").input("total").output("logits");
    switch (emb) {
      case PLAIN -> t.weight("emb", VOCAB, 64).node("Gather", "emb ids -> e");
      case TRANSPOSED -> t.node("Transpose", "lm -> lmT", TinyGraph.ints("perm", 1, 0)).node("Gather", "lmT ids -> e");
      case QUANTIZED -> t.longs("rows", VOCAB, 32).node("Reshape", "lm rows -> lmq").node("com.microsoft",
          "GatherBlockQuantized", "lmq ids lm_s -> e", integer("bits", 4), integer("block_size", 32),
          integer("gather_axis", 0), integer("quantize_axis", 1));
    }
    t.weight("ln0", 64).node("SimplifiedLayerNormalization", "e ln0 -> a0");
    String stream = "e";
    for (int i = 0; i < blocks; i++) {
      t.input("pk" + i).input("pv" + i).output("present_k" + i).output("present_v" + i);
      nbits(t, "qkv" + i, "a" + i, "qkv_out" + i, 64, 128);
      t.node("com.microsoft", "GroupQueryAttention", "qkv_out" + i + " _ _ pk" + i + " pv" + i
          + " seqlens total -> att" + i + " present_k" + i + " present_v" + i, integer("num_heads", 4),
          integer("kv_num_heads", 2), integer("do_rotary", 1));
      nbits(t, "o" + i, "att" + i, "o_out" + i, 64, 64);
      t.weight("pln" + i, 64).node("com.microsoft", "SkipSimplifiedLayerNormalization",
          stream + " o_out" + i + " pln" + i + " -> f" + i + " _ _ t" + i);
      String ffnIn = ffnReadsSum && i == 0 ? "t" + i : "f" + i;
      nbits(t, "gate" + i, ffnIn, "g" + i, 64, 96);
      nbits(t, "up" + i, ffnIn, "u" + i, 64, 96);
      t.node("Sigmoid", "g" + i + " -> sg" + i).node("Mul", "g" + i + " sg" + i + " -> act" + i)
          .node("Mul", "act" + i + " u" + i + " -> m" + i);
      nbits(t, "down" + i, "m" + i, "d" + i, 96, 64);
      boolean last = i == blocks - 1;
      String next = last ? "final" : "a" + (i + 1);
      t.weight("ln" + (i + 1), 64).node("com.microsoft", "SkipSimplifiedLayerNormalization", "t" + i + " d" + i
          + " ln" + (i + 1) + " -> " + next + (last ? "" : " _ _ s" + (i + 1)));
      stream = "s" + (i + 1);
    }
    if (emb == Emb.TRANSPOSED) {
      return t.weight("lm", 64, VOCAB).node("MatMul", "final lm -> logits").build();
    }
    return nbits(t, "lm", "final", "logits", 64, VOCAB).build();
  }

  @Test
  void recognize_twoInt4Blocks_gqaAndQuantizedSwiglu() throws Exception {
    TransformerStructure s = TransformerStructure.recognize(genAi(2, Emb.PLAIN, false));
    assertEquals(2, s.blocks().size());
    for (Block b : s.blocks()) {
      assertEquals("GroupQueryAttention", b.attention().orElseThrow().kind());
      assertEquals(3, b.attention().get().nodes().size(), "q/k/v, GQA, o: " + b.attention().get().nodes());
      FfnMatch f = b.ffn().orElseThrow().ffn();
      assertEquals(FfnKind.SWIGLU, f.kind());
      assertEquals(96, f.width());
      assertEquals("down" + b.index(), f.down().weight());
      assertEquals(32, f.down().quantization().orElseThrow().blockSize());
      assertEquals("f" + b.index(), f.input());
    }
    assertEquals("s1", s.block(0).ffn().get().residual().output().orElseThrow(), "block 0's FFN sum: output 3");
    assertEquals(NormForm.SKIP_OPERATOR, s.finalNorm().form());
    assertTrue(s.finalNorm().sum().isEmpty());
    assertEquals("lm", s.lmHead().weight());
  }

  @Test
  void recognize_transposedTiedEmbedding_inOutTable() throws Exception {
    TransformerStructure s = TransformerStructure.recognize(genAi(1, Emb.TRANSPOSED, false));
    assertEquals(Orientation.IN_OUT, s.embedding().orientation());
    assertEquals(VOCAB, s.embedding().vocab());
    assertEquals(64, s.hidden());
    assertTrue(s.lmHead().tied());
  }

  @Test
  void recognize_gatherBlockQuantizedEmbedding_tiedToInt4Head() throws Exception {
    TransformerStructure s = TransformerStructure.recognize(genAi(1, Emb.QUANTIZED, false));
    assertEquals("lm", s.embedding().weight());
    assertEquals(VOCAB, s.embedding().vocab());
    assertEquals(64, s.hidden());
    assertEquals("lm_s", s.embedding().quantization().orElseThrow().scales());
    assertTrue(s.lmHead().tied());
  }

  @Test
  void recognize_ffnReadsRawSum_diagnosisNamesNode() {
    UnrecognizedGraphException e = assertThrows(UnrecognizedGraphException.class,
        () -> TransformerStructure.recognize(genAi(2, Emb.PLAIN, true)));
    assertTrue(e.getMessage().contains("MatMulNBits") && e.getMessage().contains("through a recognized norm"),
        e.getMessage());
  }
}

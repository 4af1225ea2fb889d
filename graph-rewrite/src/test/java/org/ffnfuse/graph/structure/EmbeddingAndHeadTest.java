package org.ffnfuse.graph.structure;

import static org.ffnfuse.graph.testing.TinyDecoder.HIDDEN;
import static org.ffnfuse.graph.testing.TinyDecoder.VOCAB;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.ffnfuse.graph.testing.TinyDecoder.norm;
import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.ffnfuse.graph.testing.TinyGraph.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * The ends of the residual stream on tiny graphs: which Gather is the embedding, what scales it,
 * the LM head.
 */
class EmbeddingAndHeadTest {
  private static TransformerStructure recognize(TinyGraph t) throws Exception {
    return TransformerStructure.recognize(t.build());
  }

  private static Diagnosis diagnosis(TinyGraph t) {
    return assertThrows(UnrecognizedGraphException.class, () -> recognize(t)).diagnosis();
  }

  @Test
  void embedding_scaledByAConstant_scaleAndStreamAfterTheMul() throws Exception {
    TinyGraph t =
        embedded()
            .scalar("sqrt_d", 2.5f)
            .node("Mul", "h sqrt_d -> hs")
            .scalar("half", 0.5f)
            .node("Mul", "half hs -> hs2");
    TransformerStructure s = recognize(head(t, "hs2"));
    assertEquals(1.25, s.embedding().scale(), 1e-6);
    assertEquals("hs2", s.embedding().output());
    assertEquals(Optional.empty(), s.embedding().positionEmbedding());
    assertEquals(VOCAB, s.embedding().vocab());
    assertEquals(Orientation.OUT_IN, s.embedding().orientation());
  }

  @Test
  void embedding_learnedPositionsNotIndexedByTheInput_positionEmbedding() throws Exception {
    // GPT-2: wte[ids] + wpe[positions], positions computed in the graph (here a constant), not a
    // graph input.
    TinyGraph t =
        embedded()
            .weight("wpe", 16, HIDDEN)
            .longs("positions", 0, 1, 2)
            .node("Gather", "wpe positions -> p")
            .node("Cast", "p -> pc", integer("to", 1))
            .node("Add", "h pc -> hp");
    TransformerStructure s = recognize(head(t, "hp"));
    assertEquals(Optional.of("wpe"), s.embedding().positionEmbedding());
    assertEquals("emb", s.embedding().weight());
    assertEquals("hp", s.embedding().output());
    assertEquals(1, s.embedding().scale(), 0);
  }

  @Test
  void embedding_gatherIndexedByALaterInput_theFirstInputWins() throws Exception {
    TinyGraph t =
        embedded()
            .input("types")
            .weight("tte", 2, HIDDEN)
            .node("Gather", "tte types -> ty")
            .node("Reshape", "ids shape -> ids2")
            .longs("shape", -1)
            .weight("emb2", VOCAB, HIDDEN)
            .node("Gather", "emb2 ids2 -> h2")
            .node("Add", "h2 ty -> hx");
    // emb (ids) and emb2 (ids through a Reshape) are both indexed by input 0: ambiguous, no
    // embedding.
    assertTrue(
        diagnosis(head(t, "h"))
            .problem()
            .contains("no Gather of a [vocab, hidden] float initializer"));
    TinyGraph one =
        embedded().input("types").weight("tte", 2, HIDDEN).node("Gather", "tte types -> ty");
    assertEquals("emb", recognize(head(one, "h")).embedding().weight());
  }

  @Test
  void embedding_gatherOnAxisOneOrWrongPerm_notAnEmbedding() {
    TinyGraph axis =
        new TinyGraph()
            .input("ids")
            .weight("emb", VOCAB, HIDDEN)
            .node("Gather", "emb ids -> h", integer("axis", 1));
    assertTrue(diagnosis(head(axis, "h")).problem().contains("no Gather"));
    TinyGraph perm =
        new TinyGraph()
            .input("ids")
            .weight("lm", HIDDEN, VOCAB)
            .node("Transpose", "lm -> lmT", ints("perm", 0, 1))
            .node("Gather", "lmT ids -> h");
    assertTrue(diagnosis(head(perm, "h")).problem().contains("no Gather"));
  }

  @Test
  void embedding_transposedHeadWeight_inOutAndTied() throws Exception {
    TinyGraph t =
        new TinyGraph()
            .input("ids")
            .weight("lm", HIDDEN, VOCAB)
            .node("Transpose", "lm -> lmT", ints("perm", 1, 0))
            .node("Gather", "lmT ids -> h");
    norm(t, "h", "fn");
    t.node("MatMul", "fn lm -> logits").output("logits");
    TransformerStructure s = recognize(t);
    assertEquals(Orientation.IN_OUT, s.embedding().orientation());
    assertEquals(VOCAB, s.embedding().vocab());
    assertEquals(HIDDEN, s.hidden());
    assertTrue(s.lmHead().tied());
    assertEquals("lm", s.lmHead().weight());
  }

  @Test
  void head_throughReshapeAndCast_findsTheProjectionAndOutput() throws Exception {
    TinyGraph t = embedded();
    ffnBlock(t, "h", "b");
    norm(t, "by", "fn");
    t.longs("flat", -1, HIDDEN)
        .node("Reshape", "fn flat -> fr")
        .weight("head", HIDDEN, VOCAB)
        .node("MatMul", "fr head -> lg")
        .node("Cast", "lg -> logits", integer("to", 1))
        .output("logits");
    TransformerStructure s = recognize(t);
    assertEquals("head", s.lmHead().weight());
    assertEquals("logits", s.lmHead().output());
    assertFalse(s.lmHead().tied());
    assertEquals(Orientation.IN_OUT, s.lmHead().orientation());
  }

  @Test
  void head_gemmOnTheEmbeddingTransposed_tiedOutIn() throws Exception {
    TinyGraph t = embedded();
    norm(t, "h", "fn");
    t.node("Gemm", "fn emb -> logits", integer("transB", 1)).output("logits");
    TransformerStructure s = recognize(t);
    assertTrue(s.lmHead().tied());
    assertEquals(Orientation.OUT_IN, s.lmHead().orientation());
    assertEquals(Optional.empty(), s.lmHead().bias());
  }

  @Test
  void embedding_idsThroughANonPassThroughOp_notAnEmbedding() {
    TinyGraph t =
        new TinyGraph()
            .input("ids")
            .longs("offset", 1)
            .weight("emb", VOCAB, HIDDEN)
            .node("Add", "ids offset -> ids1")
            .node("Gather", "emb ids1 -> h");
    assertTrue(diagnosis(head(t, "h")).problem().contains("no Gather"));
  }

  @Test
  void embedding_idsThroughSqueezeAndCast_isTheEmbedding() throws Exception {
    TinyGraph t =
        new TinyGraph()
            .input("ids")
            .weight("emb", VOCAB, HIDDEN)
            .node("Squeeze", "ids -> ids1")
            .node("Cast", "ids1 -> ids2", integer("to", 7))
            .node("Gather", "emb ids2 -> h");
    assertEquals("emb", recognize(head(t, "h")).embedding().weight());
  }

  @Test
  void embedding_rankOneOrRankThreeTable_notAnEmbedding() {
    TinyGraph one =
        new TinyGraph().input("ids").weight("emb", VOCAB).node("Gather", "emb ids -> h");
    assertTrue(diagnosis(head(one, "h")).problem().contains("no Gather"));
    TinyGraph three =
        new TinyGraph()
            .input("ids")
            .weight("lm", HIDDEN, VOCAB, 2)
            .node("Transpose", "lm -> lmT", ints("perm", 1, 0))
            .node("Gather", "lmT ids -> h");
    assertTrue(diagnosis(head(three, "h")).problem().contains("no Gather"));
  }

  @Test
  void embedding_mulByAVector_isNotAScale() throws Exception {
    TinyGraph t = embedded().weight("vec", HIDDEN).node("Mul", "h vec -> hv").output("hv");
    TransformerStructure s = recognize(head(t, "h"));
    assertEquals(1, s.embedding().scale(), 0);
    assertEquals("h", s.embedding().output());
  }

  @Test
  void head_afterSliceOrGatherOfTheLastPosition_found() throws Exception {
    TinyGraph slice = embedded();
    norm(slice, "h", "fn");
    slice
        .longs("st", -1)
        .longs("en", 2147483647L)
        .longs("ax", 1)
        .node("Slice", "fn st en ax -> last")
        .weight("head", HIDDEN, VOCAB)
        .node("MatMul", "last head -> logits")
        .output("logits");
    assertEquals("head", recognize(slice).lmHead().weight());
    TinyGraph gather = embedded();
    norm(gather, "h", "fn");
    gather
        .longs("pos", -1)
        .node("Gather", "fn pos -> last", integer("axis", 1))
        .weight("head", HIDDEN, VOCAB)
        .node("MatMul", "last head -> logits")
        .output("logits");
    assertEquals("head", recognize(gather).lmHead().weight());
  }

  @Test
  void head_normIsTheWeightOperand_notAHead() {
    TinyGraph t = embedded();
    norm(t, "h", "fn");
    t.weight("head", VOCAB, HIDDEN).node("MatMul", "head fn -> logits").output("logits");
    assertTrue(diagnosis(t).problem().contains("does not feed a projection to a graph output"));
  }
}

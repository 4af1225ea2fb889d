package org.ffnfuse.graph.structure;

import static org.ffnfuse.graph.testing.TinyDecoder.HIDDEN;
import static org.ffnfuse.graph.testing.TinyDecoder.attention;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffn;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.ffnfuse.graph.testing.TinyDecoder.norm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.graph.testing.TinyDecoder;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/** Near misses of one block on a tiny decoder: where the walk stops and what the diagnosis says. */
class StructureRecognizerDiagnosisTest {
  private static Diagnosis diagnosis(TinyGraph t) {
    return assertThrows(
            UnrecognizedGraphException.class, () -> TransformerStructure.recognize(t.build()))
        .diagnosis();
  }

  private static void assertProblem(Diagnosis d, String expected) {
    assertTrue(d.problem().contains(expected), d.problem());
  }

  @Test
  void recognize_streamFeedsTwoResidualAdds_saysSeveral() {
    TinyGraph t = embedded();
    norm(t, "h", "n1");
    norm(t, "h", "n2");
    attention(t, "n1", "a", "ao");
    ffn(t, "n2", "f", "fo");
    t.node("Add", "h ao -> x1").node("Add", "h fo -> x2").node("Add", "x1 x2 -> y");
    assertProblem(diagnosis(head(t, "y")), "feeds several residual adds");
  }

  @Test
  void recognize_branchReadsTwoNormsOfTheStream_saysTwo() {
    TinyGraph t = embedded();
    norm(t, "h", "n1");
    norm(t, "h", "n2");
    t.node("Add", "n1 n2 -> nn");
    attention(t, "nn", "a", "ao");
    t.node("Add", "h ao -> y");
    Diagnosis d = diagnosis(head(t, "y"));
    assertProblem(d, "reads 2 norms of the stream");
    assertTrue(d.node().startsWith("Add"), d.node());
  }

  @Test
  void recognize_branchWithoutSoftmaxOrFfn_saysNeither() {
    TinyGraph t = embedded();
    norm(t, "h", "n");
    t.weight("w", HIDDEN, HIDDEN)
        .node("Relu", "n -> r")
        .node("MatMul", "r w -> o")
        .node("Add", "h o -> y");
    Diagnosis d = diagnosis(head(t, "y"));
    assertProblem(d, "neither an FFN");
    assertTrue(d.node().startsWith("MatMul"), d.node());
  }

  @Test
  void recognize_attentionOpOfAnotherDomain_isNotAttention() {
    TinyGraph t = embedded();
    norm(t, "h", "n");
    t.node("org.example", "Attention", "n -> o").node("Add", "h o -> y");
    assertProblem(diagnosis(head(t, "y")), "neither an FFN");
  }

  @Test
  void recognize_branchNotThroughANorm_saysSo() {
    TinyGraph t = embedded();
    attention(t, "h", "a", "ao");
    t.node("Add", "h ao -> y");
    Diagnosis d = diagnosis(head(t, "y"));
    assertProblem(d, "does not read it through a recognized norm");
    assertTrue(d.node().startsWith("MatMul"), d.node());
  }

  @Test
  void recognize_ffnReadsAValueAfterItsNorm_namesBoth() {
    TinyGraph t = embedded();
    norm(t, "h", "n");
    t.node("Relu", "n -> r");
    ffn(t, "r", "f", "fo");
    t.node("Add", "h fo -> y");
    assertProblem(diagnosis(head(t, "y")), "reads r, not its norm output n");
  }

  @Test
  void recognize_twoParallelFfns_sameKind() {
    TinyGraph t = embedded();
    norm(t, "h", "n");
    ffn(t, "n", "f", "fo");
    ffn(t, "n", "e", "eo");
    t.node("Add", "fo eo -> br").node("Add", "h br -> y");
    Diagnosis d = diagnosis(head(t, "y"));
    assertProblem(d, "two parallel branches of the same kind (FFN)");
    assertTrue(d.node().startsWith("Add"), d.node());
  }

  @Test
  void recognize_parallelBranchReadsTwoNorms_saysTwo() {
    TinyGraph t = embedded();
    norm(t, "h", "n1");
    norm(t, "h", "n2");
    ffn(t, "n1", "f", "fo");
    t.node("Add", "n1 n2 -> nn");
    attention(t, "nn", "a", "ao");
    t.node("Add", "fo ao -> br").node("Add", "h br -> y");
    assertProblem(
        diagnosis(head(t, "y")),
        "parallel branch reads 2 recognized norms of the stream; expected one");
  }

  @Test
  void recognize_streamEndsInTwoNorms_saysTwo() {
    TinyGraph t = embedded();
    norm(t, "h", "other");
    Diagnosis d = diagnosis(head(t, "h"));
    assertProblem(d, "ends in 2 norms; expected one");
    assertEquals("Gather [Gather_0]", d.node());
  }

  @Test
  void recognize_ffnNarrowerThanTheEmbedding_namesBothSizes() {
    TinyGraph t = embedded();
    norm(t, "h", "n");
    ffn(t, "n", "f", "fo", 4);
    t.node("Add", "h fo -> y");
    assertProblem(
        diagnosis(head(t, "y")), "FFN of block 0 has hidden size 4 but the embedding has 8");
  }

  @Test
  void recognize_headOfWrongInputSize_noProjection() {
    TinyGraph t = embedded();
    norm(t, "h", "fn");
    t.weight("head", 4, TinyDecoder.VOCAB).node("MatMul", "fn head -> logits").output("logits");
    assertProblem(diagnosis(t), "does not feed a projection to a graph output");
  }

  @Test
  void recognize_headNotAGraphOutput_noProjection() {
    TinyGraph t = embedded();
    norm(t, "h", "fn");
    t.weight("head", HIDDEN, TinyDecoder.VOCAB)
        .node("MatMul", "fn head -> logits")
        .node("Relu", "logits -> y")
        .output("y");
    assertProblem(diagnosis(t), "does not feed a projection to a graph output");
  }

  @Test
  void recognize_graphWithoutInputs_diagnosisNamesTheGraph() {
    Diagnosis d = diagnosis(new TinyGraph().weight("w", HIDDEN).node("Relu", "w -> y").output("y"));
    assertEquals("graph", d.node());
    assertProblem(d, "no Gather of a [vocab, hidden] float initializer indexed by a graph input");
  }
}

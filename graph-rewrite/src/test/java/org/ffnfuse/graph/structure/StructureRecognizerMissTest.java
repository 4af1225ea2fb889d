package org.ffnfuse.graph.structure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/** Recognition of tiny graphs built in code: where it stops, and a zero-block model. */
class StructureRecognizerMissTest {
  static TinyGraph embedded() {
    return new TinyGraph().input("ids").weight("emb", 32, 8).weight("g", 8).weight("head", 8, 32)
        .node("Gather", "emb ids -> h");
  }

  static Diagnosis diagnosis(Graph g) {
    return assertThrows(UnrecognizedGraphException.class, () -> TransformerStructure.recognize(g)).diagnosis();
  }

  @Test
  void recognize_noEmbedding_namesTheInput() {
    Diagnosis d = diagnosis(new TinyGraph().input("ids").node("Relu", "ids -> y").output("y").build());
    assertEquals("ids", d.node());
    assertTrue(d.problem().contains("no Gather of a [vocab, hidden] float initializer"), d.problem());
    assertTrue(d.toString().startsWith("at ids: "), d.toString());
  }

  @Test
  void recognize_noFinalNorm_saysSo() {
    Diagnosis d = diagnosis(embedded().node("MatMul", "h head -> logits").output("logits").build());
    assertTrue(d.problem().contains("ends without a recognized final norm"), d.problem());
  }

  @Test
  void recognize_finalNormWithoutHead_saysSo() {
    Diagnosis d = diagnosis(embedded().node("SimplifiedLayerNormalization", "h g -> n").node("Relu", "n -> y")
        .output("y").build());
    assertTrue(d.problem().contains("does not feed a projection to a graph output"), d.problem());
  }

  @Test
  void recognize_zeroBlocksBehindAZeroAdd_embeddingNormAndHead() throws Exception {
    Graph g = embedded().node("Shape", "h -> s").node("ConstantOfShape", "s -> z").node("Add", "h z -> r")
        .node("SimplifiedLayerNormalization", "r g -> n").node("MatMul", "n head -> logits").output("logits")
        .build();
    TransformerStructure s = TransformerStructure.recognize(g);
    assertEquals(0, s.blocks().size());
    assertEquals(8, s.hidden());
    assertEquals("r", s.finalNorm().input());
    assertEquals(java.util.List.of(), s.chains());
  }
}

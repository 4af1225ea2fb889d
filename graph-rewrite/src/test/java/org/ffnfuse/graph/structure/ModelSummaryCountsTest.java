package org.ffnfuse.graph.structure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.structure.ModelSummary.BlockSummary;
import org.ffnfuse.graph.testing.OnnxFiles;
import org.junit.jupiter.api.Test;

/**
 * ModelSummary of the bundled random/llama (dynamo export) against its config.json: hidden 64, 4 layers, 4 query and
 * 2 key/value heads of 16, SwiGLU 160, vocab 512, untied, no biases.
 */
class ModelSummaryCountsTest {
  @Test
  void of_randomLlama_countsFromTheConfig() throws Exception {
    Graph g = OnnxFiles.graph(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"));
    ModelSummary m = ModelSummary.of(TransformerStructure.recognize(g), g);
    assertEquals(64, m.hidden());
    assertEquals(512, m.vocab());
    assertFalse(m.tiedEmbeddings());
    assertEquals("rmsnorm", m.finalNorm());
    assertEquals(List.of(), m.chains());
    assertEquals(4, m.blocks().size());
    long ffn = 3L * 64 * 160;
    long attention = 64L * 64 + 2 * 64L * 32 + 64L * 64;
    for (int i = 0; i < 4; i++) {
      BlockSummary b = m.blocks().get(i);
      assertEquals(new BlockSummary(i, true, b.attentionKind(), "swiglu", 160, "silu", "rmsnorm", false,
          attention, ffn), b);
    }
    assertEquals(4 * ffn, m.parameters().ffn());
    assertEquals(4 * attention, m.parameters().attention());
    assertEquals(512L * 64, m.parameters().embedding());
    // Everything else holds at least the untied LM head.
    long rest = m.parameters().total() - 4 * (ffn + attention) - 512L * 64;
    assertTrue(rest >= 512L * 64, "rest " + rest);
  }
}

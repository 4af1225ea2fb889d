package org.ffnfuse.graph.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.testing.OnnxFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

class ChainBoundariesTest {
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class RandomLlama {
    private TransformerStructure s;

    @BeforeAll
    void load() throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"));
      s = TransformerStructure.recognize(g);
    }

    @Test
    void of_singleFfnInside_inputIsFfnNormInputOutputIsNextAttentionNormInput() {
      ChainBoundary b = ChainBoundaries.of(s, List.of(new ChainRange(1, 1))).get(0);
      assertEquals(s.block(1).ffn().orElseThrow().norm().input(), b.input());
      assertEquals(s.block(2).attention().orElseThrow().norm().input(), b.output());
    }

    @Test
    void of_lastBlock_outputIsFinalNormInput() {
      ChainBoundary b = ChainBoundaries.of(s, List.of(new ChainRange(3, 3))).get(0);
      assertEquals(s.finalNorm().input(), b.output());
    }

    @Test
    void of_attentionInsideChain_throwsNamingBlock() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ChainBoundaries.of(s, List.of(new ChainRange(0, 1))));
      assertTrue(e.getMessage().contains("block 1 has attention"), e.getMessage());
    }

    @Test
    void of_chainPastEnd_throws() {
      assertThrows(IllegalArgumentException.class, () -> ChainBoundaries.of(s, List.of(new ChainRange(3, 4))));
    }
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class NasAusten {
    @Test
    void of_chainEightToFourteen_streamBetweenBlocksSevenAndFifteen() throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.shared("nas-austen-16l-onnx-dynamo").resolve("model.onnx"));
      TransformerStructure s = TransformerStructure.recognize(g);
      ChainBoundary b = ChainBoundaries.of(s, List.of(new ChainRange(8, 14))).get(0);
      assertEquals(s.block(8).ffn().orElseThrow().norm().input(), b.input());
      assertEquals(s.block(15).attention().orElseThrow().norm().input(), b.output());
    }
  }
}

package org.ffnfuse.converters.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticModelTest {
  @Test
  void preset_llama3Shapes_haveTheRealModelsParameterCounts() {
    // Published totals of meta-llama/Llama-3.2-1B, Llama-3.2-3B (tied embeddings) and Llama-3.1-8B.
    assertEquals(1_235_814_400L, SyntheticModel.preset("1b").parameterCount());
    assertEquals(3_212_749_824L, SyntheticModel.preset("3b").parameterCount());
    assertEquals(8_030_261_248L, SyntheticModel.preset("8b").parameterCount());
  }

  @Test
  void withoutAttention_dropsAttentionParameters_andMakesItNemotronNas() {
    SyntheticModel m = SyntheticModel.preset("8b");
    SyntheticModel nas = m.withoutAttention(9, 15);
    assertTrue(nas.isNemotronNas());
    assertFalse(m.isNemotronNas());
    assertEquals(List.of(9, 10, 11, 12, 13, 14, 15), nas.attentionFreeBlocks());
    long attention = 2L * 4096 * 4096 + 2L * 4096 * 1024 + 4096; // q, o, k, v, input norm
    assertEquals(m.parameterCount() - 7 * attention, nas.parameterCount());
    assertEquals("8b-32L-nas9-15", nas.label());
    assertFalse(nas.hasAttention(9));
    assertTrue(nas.hasAttention(8));
  }

  @Test
  void withLayers_dropsBlocksPastTheEnd() {
    SyntheticModel m = SyntheticModel.preset("1b").withoutAttention(9, 15).withLayers(12);
    assertEquals(12, m.numLayers());
    assertEquals(List.of(9, 10, 11), m.attentionFreeBlocks());
  }

  @Test
  void invalidArguments_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticModel.preset("70b"));
    assertThrows(IllegalArgumentException.class, () -> SyntheticModel.preset("1b").withoutAttention(10, 16));
    assertThrows(IllegalArgumentException.class, () -> SyntheticModel.preset("1b").withLayers(0));
    assertThrows(IllegalArgumentException.class, () -> SyntheticModel.preset("1b").scaled(1000, 4096, 100, 7, 2));
  }
}

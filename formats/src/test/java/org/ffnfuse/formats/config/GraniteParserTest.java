package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GraniteParserTest {
  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_granite_readsAllFourMultipliers(Style style) throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("granite", style);
    n.put("embedding_multiplier", 12.0);
    n.put("residual_multiplier", 0.22);
    n.put("attention_multiplier", 0.0078125);
    n.put("logits_scaling", 8.0);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(12.0, c.scaling().embeddingMultiplier());
    assertEquals(0.22, c.scaling().residualMultiplier());
    assertEquals(8.0, c.scaling().logitsDivisor());
    c.blocks().forEach(b -> assertEquals(0.0078125, b.attention().softmaxScale()));
  }
}

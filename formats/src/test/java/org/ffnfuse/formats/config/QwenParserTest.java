package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QwenParserTest {
  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_qwen2_hasQkvBiasOnly(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(TinyConfigs.llamaLike("qwen2", style));
    assertEquals(ModelFamily.QWEN2, c.family());
    assertEquals(new BiasConfig(true, false, false), c.bias());
    assertEquals(QkNorm.NONE, c.qkNorm());
  }

  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_qwen3_hasPerHeadQkNormAndHeadDim128(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(TinyConfigs.llamaLike("qwen3", style));
    assertEquals(QkNorm.PER_HEAD, c.qkNorm());
    assertEquals(128, c.block(0).attention().headDim());
    assertEquals(128, c.rope().orElseThrow().rotaryDim());
    assertEquals(BiasConfig.none(), c.bias());
  }

  @Test
  void parse_qwen2SlidingWindow_appliesFromMaxWindowLayers() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("qwen2", Style.TRANSFORMERS_4);
    n.put("use_sliding_window", true);
    n.put("sliding_window", 32);
    n.put("max_window_layers", 1);
    ModelConfig c = TinyConfigs.parse(n);
    assertTrue(c.block(0).attention().slidingWindow().isEmpty());
    assertEquals(32, c.block(1).attention().slidingWindow().getAsInt());
    assertEquals(32, c.block(2).attention().slidingWindow().getAsInt());
  }

  @Test
  void parse_qwen2SlidingWindowOff_ignoresWindow() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("qwen2", Style.TRANSFORMERS_5);
    n.put("use_sliding_window", false);
    n.put("sliding_window", 32);
    TinyConfigs.parse(n).blocks().forEach(b -> assertTrue(b.attention().slidingWindow().isEmpty()));
  }
}

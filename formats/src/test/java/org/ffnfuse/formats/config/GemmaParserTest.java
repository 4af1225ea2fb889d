package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GemmaParserTest {
  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_gemma_hasUnitOffsetNormScaledEmbeddingsAndTiedHead(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(TinyConfigs.llamaLike("gemma", style));
    assertEquals(1.0, c.norm().weightOffset());
    assertEquals(8.0, c.scaling().embeddingMultiplier(), 1e-12);
    assertTrue(c.tieWordEmbeddings());
    assertEquals(Activation.GELU_TANH, c.activation());
    assertEquals(256, c.block(0).attention().headDim());
    assertEquals(ResidualLayout.PRE_NORM, c.layout());
  }

  @Test
  void parse_gemmaHiddenActivation_winsOverHiddenAct() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("gemma", Style.TRANSFORMERS_4);
    n.put("hidden_act", "gelu");
    n.put("hidden_activation", "gelu_pytorch_tanh");
    assertEquals(Activation.GELU_TANH, TinyConfigs.parse(n).activation());
    n.putNull("hidden_activation");
    assertEquals(Activation.GELU, TinyConfigs.parse(n).activation());
  }

  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_gemma2_hasSandwichNormsCapsScalarAndAlternatingWindows(Style style) throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("gemma2", style);
    n.put("head_dim", 16);
    n.put("query_pre_attn_scalar", 64);
    n.put("sliding_window", 100);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(ResidualLayout.SANDWICH, c.layout());
    assertEquals(0.125, c.block(0).attention().softmaxScale(), 1e-12);
    assertEquals(50.0, c.scaling().attentionSoftcap().getAsDouble());
    assertEquals(30.0, c.scaling().finalLogitSoftcap().getAsDouble());
    assertEquals(100, c.block(0).attention().slidingWindow().getAsInt());
    assertTrue(c.block(1).attention().slidingWindow().isEmpty());
    assertEquals(100, c.block(2).attention().slidingWindow().getAsInt());
  }

  @Test
  void parse_gemma2NullCapsAndLayerTypes_followsThem() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("gemma2", Style.TRANSFORMERS_5);
    n.putNull("final_logit_softcapping");
    n.putNull("attn_logit_softcapping");
    n.putArray("layer_types").add("full_attention").add("sliding_attention").add("full_attention");
    ModelConfig c = TinyConfigs.parse(n);
    assertTrue(c.scaling().finalLogitSoftcap().isEmpty());
    assertTrue(c.scaling().attentionSoftcap().isEmpty());
    assertTrue(c.block(0).attention().slidingWindow().isEmpty());
    assertEquals(4096, c.block(1).attention().slidingWindow().getAsInt());
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Gpt2ParserTest {
  static ObjectNode gpt2(String dtypeField) {
    ObjectNode n = TinyConfigs.MAPPER.createObjectNode();
    n.put("model_type", "gpt2");
    n.put("n_embd", 48);
    n.put("n_layer", 2);
    n.put("n_head", 3);
    n.putNull("n_inner");
    n.put("n_positions", 64);
    n.put("vocab_size", 100);
    n.put("activation_function", "gelu_new");
    n.put("layer_norm_epsilon", 1e-5);
    n.put(dtypeField, "float32");
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"torch_dtype", "dtype"})
  void parse_gpt2_mapsItsOwnFieldNames(String dtypeField) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(gpt2(dtypeField));
    assertEquals(48, c.hiddenSize());
    assertEquals(2, c.numLayers());
    assertEquals(AttentionConfig.full(3, 3, 16), c.block(0).attention());
    assertEquals(FfnConfig.plain(192), c.block(1).ffn());
    assertEquals(new NormConfig(NormKind.LAYER, 1e-5, 0), c.norm());
    assertEquals(Activation.GELU_TANH, c.activation());
    assertTrue(c.learnedPositions());
    assertEquals(64, c.maxPositions());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(BiasConfig.all(), c.bias());
    assertEquals(DType.F32, c.dtype());
  }

  @Test
  void parse_inverseLayerIdxScaling_dividesPerBlock() throws ModelFormatException {
    ObjectNode n = gpt2("dtype");
    n.put("n_inner", 100);
    n.put("scale_attn_by_inverse_layer_idx", true);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(0.25, c.block(0).attention().softmaxScale(), 1e-12);
    assertEquals(0.125, c.block(1).attention().softmaxScale(), 1e-12);
    assertEquals(100, c.block(0).ffn().intermediateSize());
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.Test;

class GptNeoxParserTest {
  static ObjectNode neox() {
    ObjectNode n = TinyConfigs.MAPPER.createObjectNode();
    n.put("model_type", "gpt_neox");
    n.put("hidden_size", 64);
    n.put("num_hidden_layers", 2);
    n.put("num_attention_heads", 4);
    n.put("intermediate_size", 256);
    n.put("vocab_size", 100);
    n.put("rotary_pct", 0.25);
    n.put("rotary_emb_base", 10000);
    n.put("layer_norm_eps", 1e-5);
    n.put("hidden_act", "gelu");
    n.put("torch_dtype", "float16");
    return n;
  }

  @Test
  void parse_transformers4_readsRotaryPctAndParallelResidual() throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(neox());
    assertEquals(RopeConfig.standard(10000, 4), c.rope().orElseThrow());
    assertEquals(ResidualLayout.PARALLEL, c.layout());
    assertEquals(NormKind.LAYER, c.norm().kind());
    assertEquals(Activation.GELU, c.activation());
    assertEquals(FfnConfig.plain(256), c.block(0).ffn());
    assertEquals(BiasConfig.all(), c.bias());
  }

  @Test
  void parse_transformers5RopeParametersSequentialResidual_followsThem() throws ModelFormatException {
    ObjectNode n = neox();
    n.remove("rotary_pct");
    n.remove("rotary_emb_base");
    n.put("use_parallel_residual", false);
    n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 20000.0)
        .put("partial_rotary_factor", 0.5);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(RopeConfig.standard(20000, 8), c.rope().orElseThrow());
    assertEquals(ResidualLayout.PRE_NORM, c.layout());
  }
}

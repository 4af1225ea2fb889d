package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.ffnfuse.formats.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LlamaParserTest {
  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_llamaEitherStyle_readsEveryField(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(TinyConfigs.llamaLike("llama", style));
    assertEquals(ModelFamily.LLAMA, c.family());
    assertEquals(64, c.hiddenSize());
    assertEquals(3, c.numLayers());
    assertEquals(128, c.vocabSize());
    AttentionConfig a = c.block(2).attention();
    assertEquals(AttentionKind.FULL, a.kind());
    assertEquals(4, a.numHeads());
    assertEquals(2, a.numKvHeads());
    assertEquals(16, a.headDim());
    assertEquals(0.25, a.softmaxScale(), 1e-12);
    assertEquals(FfnConfig.gated(160), c.block(0).ffn());
    assertEquals(new NormConfig(NormKind.RMS, 1e-6, 0), c.norm());
    assertEquals(Activation.SILU, c.activation());
    assertEquals(RopeConfig.standard(500000, 16), c.rope().orElseThrow());
    assertEquals(DType.F16, c.dtype());
    assertFalse(c.tieWordEmbeddings());
    assertEquals(BiasConfig.none(), c.bias());
    assertEquals(ResidualLayout.PRE_NORM, c.layout());
    assertEquals(1, c.bosTokenId().getAsInt());
  }

  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_llama3RopeEitherStyle_readsScaling(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(TinyConfigs.withLlama3Rope(TinyConfigs.llamaLike("llama", style), style));
    assertEquals(new RopeConfig(RopeType.LLAMA3, 500000, 16, 8, 1, 4, 8192), c.rope().orElseThrow());
  }

  @Test
  void parse_explicitHeadDimAndBiases_usesThem() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_5);
    n.put("head_dim", 32);
    n.put("attention_bias", true);
    n.put("mlp_bias", true);
    n.put("tie_word_embeddings", true);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(32, c.block(0).attention().headDim());
    assertEquals(BiasConfig.all(), c.bias());
    assertTrue(c.tieWordEmbeddings());
  }

  @Test
  void parse_noKvHeadsNoDtype_defaultsToMhaAndF32() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4);
    n.remove("num_key_value_heads");
    n.remove("torch_dtype");
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(4, c.block(0).attention().numKvHeads());
    assertEquals(DType.F32, c.dtype());
  }

  @Test
  void parse_linearRope_readsFactor() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4);
    n.putObject("rope_scaling").put("type", "linear").put("factor", 2.0);
    assertEquals(new RopeConfig(RopeType.LINEAR, 500000, 16, 2, 1, 4, 0), TinyConfigs.parse(n).rope().get());
  }

  @Test
  void parse_mistralSlidingWindow_appliesToEveryBlock() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("mistral", Style.TRANSFORMERS_4);
    n.put("sliding_window", 4096);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(ModelFamily.MISTRAL, c.family());
    c.blocks().forEach(b -> assertEquals(4096, b.attention().slidingWindow().getAsInt()));
  }

  @Test
  void parse_mistralNullWindow_hasNoWindow() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("mistral", Style.TRANSFORMERS_5);
    n.putNull("sliding_window");
    assertTrue(TinyConfigs.parse(n).block(0).attention().slidingWindow().isEmpty());
  }

  @Test
  void parse_llama3WithoutFactor_failsNamingField() {
    ObjectNode n = TinyConfigs.withLlama3Rope(TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4),
        Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("rope_scaling")).remove("factor");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'rope_scaling.factor'"), e.getMessage());
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HfConfigReaderTest {
  @Nested
  class BundledFixtures {
    @Test
    void read_stories260k_transformers4Llama() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("stories260k"));
      assertEquals(ModelFamily.LLAMA, c.family());
      assertEquals(64, c.hiddenSize());
      assertEquals(5, c.numLayers());
      assertEquals(BlockConfig.of(AttentionConfig.full(8, 4, 8), FfnConfig.gated(172)), c.block(4));
      assertEquals(512, c.vocabSize());
      assertEquals(new NormConfig(NormKind.RMS, 1e-5, 0), c.norm());
      assertEquals(RopeConfig.standard(10000, 8), c.rope().orElseThrow());
      assertTrue(c.tieWordEmbeddings());
      assertEquals(DType.F32, c.dtype());
      assertEquals(1, c.bosTokenId().getAsInt());
      assertTrue(c.source().endsWith("config.json"));
    }

    @Test
    void read_nasAusten_attentionRemovedInBlocks8To14() throws IOException {
      assertNasAusten(HfConfigReader.read(Fixtures.bundled("nas-austen-16l")));
    }

    @Test
    void read_randomLlama_transformers5WithHeadDim() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("random/llama").resolve("config.json"));
      assertEquals(ModelFamily.LLAMA, c.family());
      assertEquals(4, c.numLayers());
      assertEquals(BlockConfig.of(AttentionConfig.full(4, 2, 16), FfnConfig.gated(160)), c.block(0));
      assertEquals(new NormConfig(NormKind.RMS, 1e-6, 0), c.norm());
      assertEquals(RopeConfig.standard(10000, 16), c.rope().orElseThrow());
      assertFalse(c.tieWordEmbeddings());
      assertEquals(DType.F32, c.dtype());
    }

    @Test
    void read_randomQwen2_qkvBias() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("random/qwen2"));
      assertEquals(ModelFamily.QWEN2, c.family());
      assertEquals(new BiasConfig(true, false, false), c.bias());
      assertEquals(BlockConfig.of(AttentionConfig.full(4, 2, 16), FfnConfig.gated(160)), c.block(3));
      assertTrue(c.bosTokenId().isEmpty());
    }

    @Test
    void read_randomGemma_geGluUnitOffsetTied() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("random/gemma"));
      assertEquals(ModelFamily.GEMMA, c.family());
      assertEquals(Activation.GELU_TANH, c.activation());
      assertEquals(new NormConfig(NormKind.RMS, 1e-6, 1), c.norm());
      assertEquals(8.0, c.scaling().embeddingMultiplier(), 1e-12);
      assertTrue(c.tieWordEmbeddings());
      assertEquals(16, c.block(0).attention().headDim());
      assertEquals(2, c.bosTokenId().getAsInt());
    }

    @Test
    void read_randomPhi3_partialFactorInsideRopeParameters() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("random/phi3"));
      assertEquals(ModelFamily.PHI3, c.family());
      assertEquals(RopeConfig.standard(10000, 16), c.rope().orElseThrow());
      assertEquals(1e-5, c.norm().eps());
      assertEquals(BlockConfig.of(AttentionConfig.full(4, 2, 16), FfnConfig.gated(160)), c.block(1));
    }

    @Test
    void read_randomGpt2_layerNormLearnedPositions() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("random/gpt2"));
      assertEquals(ModelFamily.GPT2, c.family());
      assertEquals(BlockConfig.of(AttentionConfig.full(4, 4, 16), FfnConfig.plain(256)), c.block(0));
      assertEquals(new NormConfig(NormKind.LAYER, 1e-5, 0), c.norm());
      assertEquals(Activation.GELU_TANH, c.activation());
      assertTrue(c.learnedPositions());
      assertEquals(256, c.maxPositions());
      assertEquals(BiasConfig.all(), c.bias());
      assertTrue(c.tieWordEmbeddings());
    }

    @Test
    void raw_returnsCopyWithUnknownKeys() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.bundled("nas-austen-16l"));
      ObjectNode raw = (ObjectNode) c.raw();
      assertEquals("configuration_decilm.DeciLMConfig", raw.get("auto_map").get("AutoConfig").asText());
      raw.put("hidden_size", 1);
      assertEquals(192, c.raw().get("hidden_size").asInt());
    }
  }

  static void assertNasAusten(ModelConfig c) {
    assertEquals(ModelFamily.NEMOTRON_NAS, c.family());
    assertEquals(192, c.hiddenSize());
    assertEquals(16, c.numLayers());
    assertEquals(1024, c.vocabSize());
    assertEquals(DType.BF16, c.dtype());
    assertFalse(c.tieWordEmbeddings());
    for (int i = 0; i < 16; i++) {
      AttentionConfig expected = i >= 8 && i <= 14 ? AttentionConfig.none() : AttentionConfig.full(6, 2, 32);
      assertEquals(BlockConfig.of(expected, FfnConfig.gated(512)), c.block(i), "block " + i);
    }
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class SharedFixtures {
    @Test
    void read_llamaAusten_transformers5Bf16() throws IOException {
      ModelConfig c = HfConfigReader.read(Fixtures.shared("llama-austen-16l"));
      assertEquals(ModelFamily.LLAMA, c.family());
      assertEquals(16, c.numLayers());
      c.blocks().forEach(b -> assertEquals(
          BlockConfig.of(AttentionConfig.full(6, 2, 32), FfnConfig.gated(512)), b));
      assertEquals(DType.BF16, c.dtype());
      assertEquals(RopeConfig.standard(10000, 32), c.rope().orElseThrow());
      assertEquals(1024, c.vocabSize());
      assertEquals(1, c.bosTokenId().getAsInt());
    }

    @Test
    void read_sharedNasAusten_sameAsBundled() throws IOException {
      assertNasAusten(HfConfigReader.read(Fixtures.shared("nas-austen-16l")));
    }

    @Test
    void read_everySharedConfig_parsesWithLayerCountFromFile() throws IOException {
      Path root = Fixtures.shared("stories260k").getParent();
      List<Path> configs;
      try (Stream<Path> s = Files.walk(root)) {
        configs = s.filter(p -> p.getFileName().toString().equals("config.json")).toList();
      }
      assertTrue(configs.size() >= 8, "found " + configs);
      for (Path p : configs) {
        ModelConfig c = HfConfigReader.read(p);
        var raw = c.raw();
        int layers = raw.has("n_layer") ? raw.get("n_layer").asInt() : raw.get("num_hidden_layers").asInt();
        assertEquals(layers, c.numLayers(), p.toString());
        assertEquals(raw.get("vocab_size").asInt(), c.vocabSize(), p.toString());
      }
    }
  }

  @Nested
  class Errors {
    @Test
    void parse_unsupportedModelType_listsSupported() {
      ObjectNode n = TinyConfigs.llamaLike("mamba", Style.TRANSFORMERS_4);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertEquals(TinyConfigs.FILE + ": model_type 'mamba' is not supported (supported: llama, mistral, qwen2,"
          + " qwen3, gemma, gemma2, phi3, olmo2, granite, gpt2, gpt_neox, nemotron-nas)", e.getMessage());
      assertEquals(TinyConfigs.FILE, e.file());
    }

    @Test
    void parse_unsupportedModelTypeWithBadFields_failsOnTypeFirst() {
      ObjectNode n = TinyConfigs.MAPPER.createObjectNode().put("model_type", "mamba").put("hidden_size", "x");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("'mamba' is not supported"), e.getMessage());
    }

    @Test
    void parse_noModelType_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4);
      n.remove("model_type");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("'model_type' is missing"), e.getMessage());
    }

    @Test
    void parse_missingHiddenSize_namesFieldAndType() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4);
      n.remove("hidden_size");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("'hidden_size' is missing (expected a positive integer)"), e.getMessage());
    }

    @Test
    void parse_hiddenSizeAsString_namesFoundType() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4).put("hidden_size", "64");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().endsWith("field 'hidden_size': expected a positive integer, found \"64\" (string)"),
          e.getMessage());
    }

    @Test
    void parse_negativeLayers_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4).put("num_hidden_layers", -2);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("'num_hidden_layers': expected a positive integer, found -2"),
          e.getMessage());
    }

    @Test
    void parse_fractionalHeads_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4).put("num_attention_heads", 4.5);
      assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    }

    @Test
    void parse_hiddenNotDivisibleByHeads_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4).put("hidden_size", 66);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("hidden_size 66 is not divisible by num_attention_heads 4"),
          e.getMessage());
    }

    @Test
    void parse_headsNotDivisibleByKvHeads_fails() {
      ObjectNode n = TinyConfigs.llamaLike("qwen2", Style.TRANSFORMERS_5).put("num_key_value_heads", 3);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("num_attention_heads 4 is not divisible by num_key_value_heads 3"),
          e.getMessage());
    }

    @Test
    void parse_unknownActivation_listsSupported() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4).put("hidden_act", "mish");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("field 'hidden_act': activation 'mish' is not supported"), e.getMessage());
    }

    @Test
    void parse_unknownDtype_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_5).put("dtype", "float8");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("field 'dtype': 'float8' is not supported"), e.getMessage());
    }

    @Test
    void parse_ropeParametersNotObject_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_5).put("rope_parameters", 3);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("'rope_parameters': expected an object, found 3 (integer)"),
          e.getMessage());
    }

    @Test
    void parse_tieAsString_fails() {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_5).put("tie_word_embeddings", "yes");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("'tie_word_embeddings': expected true or false"), e.getMessage());
    }

    @Test
    void parse_topLevelArray_fails() {
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> HfConfigReader.parse(TinyConfigs.MAPPER.createArrayNode(), TinyConfigs.FILE));
      assertTrue(e.getMessage().contains("expected a JSON object at the top level, found array"), e.getMessage());
    }

    @Test
    void read_notJson_fails(@TempDir Path dir) throws IOException {
      Path f = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\",");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfigReader.read(dir));
      assertTrue(e.getMessage().startsWith(f + ": not valid JSON"), e.getMessage());
    }

    /** The 700-byte config that made {@code inspect} allocate 5 GB: refused before anything per layer exists. */
    @Test
    void read_billionLayers_refusedNamingFieldAndLimit(@TempDir Path dir) throws IOException {
      ObjectNode n = TinyConfigs.llamaLike("llama", Style.TRANSFORMERS_4).put("num_hidden_layers", 1_000_000_000);
      Path f = dir.resolve("config.json");
      TinyConfigs.MAPPER.writeValue(f.toFile(), n);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfigReader.read(dir));
      assertEquals(f + ": field 'num_hidden_layers': 1000000000 is over the limit of 100000 layers; no model comes"
          + " near it, so config.json is corrupt", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
      "llama, num_hidden_layers, 100001, 100000 layers",
      "llama, hidden_size, 1048832, 1048576 channels",
      "llama, intermediate_size, 1048577, 1048576 channels",
      "llama, head_dim, 1048577, 1048576 channels",
      "llama, num_attention_heads, 65540, 65536 heads",
      "llama, num_key_value_heads, 65537, 65536 heads",
      "llama, vocab_size, 16777217, 16777216 tokens",
      "gpt_neox, num_hidden_layers, 100001, 100000 layers",
    })
    void parse_sizeOverLimit_failsNamingField(String type, String field, int value, String limit) {
      ObjectNode n = TinyConfigs.llamaLike(type, Style.TRANSFORMERS_4).put(field, value);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("field '" + field + "': " + value + " is over the limit of " + limit),
          e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"n_layer", "n_embd", "n_inner", "n_head"})
    void parse_gpt2SizeOverLimit_failsNamingField(String field) {
      ObjectNode n = TinyConfigs.MAPPER.createObjectNode().put("model_type", "gpt2").put("n_embd", 64)
          .put("n_layer", 2).put("n_head", 4).put("vocab_size", 100).put(field, 2_000_000_000);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
      assertTrue(e.getMessage().contains("field '" + field + "': 2000000000 is over the limit"), e.getMessage());
    }

    @Test
    void read_duplicateKey_failsNamingKeyLineAndColumn(@TempDir Path dir) throws IOException {
      Path f = Files.writeString(dir.resolve("config.json"),
          "{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": 3,\n  \"num_hidden_layers\": 4\n}\n");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfigReader.read(dir));
      assertEquals(f + ": key 'num_hidden_layers' appears twice in one object (the second time at line 4 column"
          + " 22); keys must be unique, remove one", e.getMessage());
    }

    @Test
    void read_folderWithoutConfig_failsWithNoSuchFile(@TempDir Path dir) {
      assertThrows(NoSuchFileException.class, () -> HfConfigReader.read(dir));
    }

    @Test
    void read_everyFamilyBothStyles_roundTripsThroughFile(@TempDir Path dir) throws IOException {
      for (ModelFamily fam : List.of(ModelFamily.LLAMA, ModelFamily.MISTRAL, ModelFamily.QWEN2, ModelFamily.QWEN3,
          ModelFamily.GEMMA, ModelFamily.GEMMA2, ModelFamily.PHI3, ModelFamily.OLMO2, ModelFamily.GRANITE)) {
        for (Style style : Style.values()) {
          Path f = dir.resolve(fam.modelType() + "-" + style + ".json");
          TinyConfigs.MAPPER.writeValue(f.toFile(), TinyConfigs.llamaLike(fam.modelType(), style));
          ModelConfig c = HfConfigReader.read(f);
          assertEquals(fam, c.family());
          assertEquals(3, c.numLayers());
          IntStream.range(0, 3).forEach(i -> assertEquals(2, c.block(i).attention().numKvHeads()));
        }
      }
    }
  }
}

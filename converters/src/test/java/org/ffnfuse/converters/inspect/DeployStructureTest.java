package org.ffnfuse.converters.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.FfnKind;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.ModelSummary;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Structure recognition on ONNX as deployment flows write it (issue 15, {@code ../shared/models/deploy}): ONNX
 * Runtime GenAI's model builder, ONNX Runtime's transformers optimizer and the fp16 conversions. The truth is the
 * Hugging Face config the file was built from (block count, width, FFN kind and width, norm kind) and, for GenAI
 * folders, the {@code genai_config.json} onnxruntime-genai loads.
 */
@Tag(Fixtures.ACCEPTANCE)
class DeployStructureTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "genai-llama-austen-16l-fp32-cpu, llama-austen-16l, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, false",
      "genai-llama-austen-16l-int4-cpu, llama-austen-16l, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, true",
      "genai-llama-austen-16l-fp16-cuda, llama-austen-16l, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, false",
      "genai-random-llama-fp32-cpu, random/llama, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, false",
      "genai-random-llama-int4-cpu, random/llama, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, true",
      "genai-random-qwen2-fp32-cpu, random/qwen2, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, false",
      "genai-random-qwen2-int4-cpu, random/qwen2, SWIGLU, SILU, RMS_NORM, GroupQueryAttention, true",
      "genai-random-gemma-fp32-cpu, random/gemma, GEGLU, GELU_TANH, RMS_NORM, GroupQueryAttention, false",
      "genai-random-gemma-int4-cpu, random/gemma, GEGLU, GELU_TANH, RMS_NORM, GroupQueryAttention, true",
      "ortopt-random-llama, random/llama, SWIGLU, SILU, RMS_NORM, decomposed, false",
      "ortopt-l2-random-llama, random/llama, SWIGLU, SILU, RMS_NORM, decomposed, false",
      "ortopt-random-gpt2, random/gpt2, GELU_MLP, GELU_TANH, LAYER_NORM, decomposed, false",
      "ortopt-l2-random-gpt2, random/gpt2, GELU_MLP, GELU_TANH, LAYER_NORM, decomposed, false",
      "fp16cast-random-llama, random/llama, SWIGLU, SILU, RMS_NORM, decomposed, false",
      "fp16cast-random-gpt2, random/gpt2, GELU_MLP, GELU_TANH, LAYER_NORM, decomposed, false",
      "torchfp16-random-llama, random/llama, SWIGLU, SILU, RMS_NORM, decomposed, false",
      "torchfp16-random-qwen2, random/qwen2, SWIGLU, SILU, RMS_NORM, decomposed, false"})
  void recognize_deployGraph_matchesSourceConfig(String folder, String source, FfnKind kind, Activation act,
      NormKind norm, String attention, boolean int4) throws Exception {
    Path dir = Fixtures.shared("deploy/" + folder);
    ModelConfig config = HfConfigReader.read(Fixtures.shared(source));
    try (OnnxModel m = OnnxModel.open(dir.resolve("model.onnx"))) {
      Graph g = Graph.of(m.proto(), m::initializer);
      TransformerStructure s = TransformerStructure.recognize(g);
      assertEquals(config.numLayers(), s.blocks().size(), "block count");
      assertEquals(config.hiddenSize(), s.hidden());
      assertEquals(config.vocabSize(), s.embedding().vocab());
      assertEquals(norm, s.finalNorm().kind());
      double scale = kind == FfnKind.GEGLU ? Math.sqrt(config.hiddenSize()) : 1; // Gemma scales its embeddings
      assertEquals(scale, s.embedding().scale(), 1e-3);
      assertGenAiConfig(dir, s);
      Set<String> downs = new HashSet<>();
      for (Block b : s.blocks()) {
        int i = b.index();
        assertTrue(b.attention().isPresent(), "attention in block " + i);
        assertEquals(attention, b.attention().get().kind(), "attention kind of block " + i);
        assertFalse(b.parallelResidual());
        assertAttentionBody(b.attention().get().nodes(), attention, i);
        FfnMatch f = b.ffn().orElseThrow().ffn();
        assertEquals(kind, f.kind(), "FFN kind of block " + i);
        assertEquals(act, f.activation(), "activation of block " + i);
        assertEquals(config.block(i).ffn().intermediateSize(), f.width(), "FFN width of block " + i);
        assertEquals(norm, b.ffn().get().norm().kind());
        assertEquals(f.input(), b.ffn().get().norm().output(), "the FFN reads its own norm");
        assertLinear(f.down(), f.width(), config.hiddenSize(), int4);
        assertLinear(f.up().orElseThrow(), config.hiddenSize(), f.width(), int4);
        assertEquals(kind.gated(), f.gate().isPresent());
        f.gate().ifPresent(gate -> assertLinear(gate, config.hiddenSize(), f.width(), int4));
        assertTrue(downs.add(f.down().weight()), "each block its own down projection");
        if (kind == FfnKind.GELU_MLP) {
          assertTrue(f.up().get().bias().isPresent() || f.activationBias().isPresent(), "fc1 bias, block " + i);
          NormMatch next = i + 1 < s.blocks().size() ? s.block(i + 1).attention().get().norm() : s.finalNorm();
          assertTrue(f.down().bias().isPresent() || next.skipBias().isPresent(), "fc2 bias, block " + i);
        }
      }
      assertEquals(List.of(), s.chains());
      if (attention.equals("GroupQueryAttention") && kind == FfnKind.SWIGLU && !source.contains("qwen2")) {
        AttentionConfig a = config.block(0).attention(); // no q/k/v biases: the weights alone
        long expected = (long) config.hiddenSize() * (a.numHeads() + 2L * a.numKvHeads()) * a.headDim()
            + (long) a.numHeads() * a.headDim() * config.hiddenSize();
        for (ModelSummary.BlockSummary b : ModelSummary.of(s, g).blocks()) {
          assertEquals(expected, b.attentionParameters(), "attention parameters of block " + b.index());
        }
      }
    }
  }

  /** One fused attention op (or a decomposed Softmax) and nothing of the stream (no norms) between norm and add. */
  private static void assertAttentionBody(List<Node> nodes, String kind, int block) {
    String marker = kind.equals("decomposed") ? "Softmax" : kind;
    assertEquals(1, nodes.stream().filter(n -> n.opType().equals(marker)).count(), "attention op in block " + block);
    assertTrue(nodes.stream().noneMatch(n -> n.opType().contains("LayerNormalization")),
        "no norm inside attention of block " + block + ": " + nodes);
  }

  private static void assertLinear(LinearMatch l, long in, long out, boolean int4) {
    assertEquals(in, l.in());
    assertEquals(out, l.out());
    assertEquals(int4, l.quantization().isPresent(), "int4 MatMulNBits projection " + l.weight());
    l.quantization().ifPresent(q -> {
      assertEquals(4, q.bits());
      assertEquals(32, q.blockSize());
      assertTrue(q.zeroPoints().isEmpty());
    });
  }

  /** The block count and width onnxruntime-genai reads from genai_config.json, where the folder has one. */
  private static void assertGenAiConfig(Path dir, TransformerStructure s) throws Exception {
    Path genai = dir.resolve("genai_config.json");
    if (!Files.isRegularFile(genai)) {
      return;
    }
    JsonNode d = new ObjectMapper().readTree(genai.toFile()).get("model").get("decoder");
    assertEquals(d.get("num_hidden_layers").asInt(), s.blocks().size());
    assertEquals(d.get("hidden_size").asLong(), s.hidden());
  }
}

package org.ffnfuse.graph.structure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.FfnKind;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.graph.testing.OnnxFiles;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The full expected structure of every ONNX fixture. */
class TransformerStructureTest {
  /** What a fixture must be recognized as. */
  record Expected(int blocks, Set<Integer> withoutAttention, FfnKind kind, Activation activation, long width,
      long hidden, NormKind norm, List<Chain> chains, boolean fusedGateUp, boolean ffnBiases, double embedScale,
      boolean positionEmbedding, boolean tied) {}

  static final Expected LLAMA = new Expected(4, Set.of(), FfnKind.SWIGLU, Activation.SILU, 160, 64, NormKind.RMS_NORM,
      List.of(), false, false, 1, false, false);

  static TransformerStructure recognize(Path file) throws Exception {
    return TransformerStructure.recognize(OnnxFiles.graph(file));
  }

  static void assertStructure(Expected e, TransformerStructure s, Graph g) {
    assertEquals(e.blocks(), s.blocks().size(), "block count");
    assertEquals(e.hidden(), s.hidden());
    assertEquals(e.chains(), s.chains(), "chains");
    assertEquals(e.norm(), s.finalNorm().kind());
    assertEquals(e.embedScale(), s.embedding().scale(), 1e-6);
    assertEquals(e.positionEmbedding(), s.embedding().positionEmbedding().isPresent());
    assertEquals(e.tied(), s.lmHead().tied());
    Set<String> downWeights = new HashSet<>();
    for (Block b : s.blocks()) {
      assertEquals(!e.withoutAttention().contains(b.index()), b.attention().isPresent(), "attention in " + b.index());
      assertFalse(b.parallelResidual());
      assertTrue(b.ffn().isPresent(), "FFN in block " + b.index());
      FfnMatch f = b.ffn().get().ffn();
      assertEquals(e.kind(), f.kind(), "kind of block " + b.index());
      assertEquals(e.activation(), f.activation());
      assertEquals(e.width(), f.width());
      assertEquals(e.hidden(), f.hidden());
      assertEquals(e.norm(), b.ffn().get().norm().kind());
      assertEquals(f.input(), b.ffn().get().norm().output(), "FFN reads its norm");
      b.attention().ifPresent(a -> assertEquals(e.norm(), a.norm().kind()));
      // Weights map to initializers of the stored shape their orientation says.
      assertWeight(g, f.down(), e.width(), e.hidden());
      assertTrue(downWeights.add(f.down().weight()), "each block has its own down projection");
      if (e.fusedGateUp()) {
        assertTrue(f.gateUp().isPresent());
        assertWeight(g, f.gateUp().get().linear(), e.hidden(), 2 * e.width());
        assertEquals(0, f.gateUp().get().gateOffset());
        assertEquals(e.width(), f.gateUp().get().upOffset());
      } else if (e.kind().gated()) {
        assertWeight(g, f.gate().orElseThrow(), e.hidden(), e.width());
        assertWeight(g, f.up().orElseThrow(), e.hidden(), e.width());
        assertFalse(f.gate().get().weight().equals(f.up().get().weight()));
      } else {
        assertWeight(g, f.up().orElseThrow(), e.hidden(), e.width());
        assertEquals(e.ffnBiases(), f.up().get().bias().isPresent());
        assertEquals(e.ffnBiases(), f.down().bias().isPresent());
      }
    }
  }

  static void assertWeight(Graph g, LinearMatch l, long in, long out) {
    assertEquals(in, l.in());
    assertEquals(out, l.out());
    Shape stored = g.initializer(l.weight()).orElseThrow().shape();
    assertEquals(l.orientation() == Orientation.IN_OUT ? Shape.of(in, out) : Shape.of(out, in), stored,
        l.weight() + " as " + l.orientation());
  }

  /** Norm weight names are a hint the recognizer never uses; where the exporter kept them they confirm the mapping. */
  static void assertNormNames(TransformerStructure s, String prefix) {
    for (Block b : s.blocks()) {
      assertEquals(prefix + "layers." + b.index() + ".post_attention_layernorm.weight",
          b.ffn().orElseThrow().norm().weight().orElseThrow());
    }
  }

  @Nested
  class Bundled {
    @ParameterizedTest
    @ValueSource(strings = {"model.dynamo.onnx", "model.torchscript.onnx"})
    void recognize_llama_fourSwigluBlocks(String file) throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("random/llama").resolve(file));
      assertStructure(LLAMA, TransformerStructure.recognize(g), g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.dynamo.onnx", "model.torchscript.onnx"})
    void recognize_qwen2_fourSwigluBlocks(String file) throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("random/qwen2").resolve(file));
      assertStructure(LLAMA, TransformerStructure.recognize(g), g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.dynamo.onnx", "model.torchscript.onnx"})
    void recognize_gemma_gegluWithScaledEmbedding(String file) throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("random/gemma").resolve(file));
      // TorchScript stores a transposed copy of the tied embedding for the LM head, so the graph is not tied.
      Expected e = new Expected(4, Set.of(), FfnKind.GEGLU, Activation.GELU_TANH, 160, 64, NormKind.RMS_NORM,
          List.of(), false, false, 8, false, file.contains("dynamo"));
      assertStructure(e, TransformerStructure.recognize(g), g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.dynamo.onnx", "model.torchscript.onnx"})
    void recognize_phi3_fusedGateUp(String file) throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("random/phi3").resolve(file));
      Expected e = new Expected(4, Set.of(), FfnKind.SWIGLU, Activation.SILU, 160, 64, NormKind.RMS_NORM, List.of(),
          true, false, 1, false, false);
      assertStructure(e, TransformerStructure.recognize(g), g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.dynamo.onnx", "model.torchscript.onnx"})
    void recognize_gpt2_geluMlpWithLayerNorm(String file) throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("random/gpt2").resolve(file));
      // The fixture's biases are drawn from N(0, 0.05²), so both exporters keep them (Gemm with C or MatMul + Add).
      Expected e = new Expected(4, Set.of(), FfnKind.GELU_MLP, Activation.GELU_TANH, 256, 64, NormKind.LAYER_NORM,
          List.of(), false, true, 1, true, file.contains("dynamo"));
      TransformerStructure s = TransformerStructure.recognize(g);
      assertStructure(e, s, g);
      assertEquals(Orientation.IN_OUT, s.block(0).ffn().orElseThrow().ffn().up().orElseThrow().orientation(),
          "GPT-2 Conv1D weights are [in, out]");
    }

    @org.junit.jupiter.api.Test
    void recognize_stories260k_fiveBlocksWidth172() throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("stories260k").resolve("model.onnx"));
      TransformerStructure s = TransformerStructure.recognize(g);
      assertStructure(new Expected(5, Set.of(), FfnKind.SWIGLU, Activation.SILU, 172, 64, NormKind.RMS_NORM,
          List.of(), false, false, 1, false, false), s, g);
      assertNormNames(s, "model.");
    }

    @org.junit.jupiter.api.Test
    void summary_stories260k_jsonShape() throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.bundled("stories260k").resolve("model.onnx"));
      ModelSummary m = ModelSummary.of(TransformerStructure.recognize(g), g);
      JsonNode json = new ObjectMapper().valueToTree(m);
      assertEquals(5, json.get("blocks").size());
      assertEquals("swiglu", json.get("blocks").get(0).get("ffn").asText());
      assertEquals(172, json.get("blocks").get(0).get("ffnWidth").asLong());
      assertEquals("rmsnorm", json.get("blocks").get(0).get("norm").asText());
      assertTrue(json.get("blocks").get(0).get("attention").asBoolean());
      assertEquals(0, json.get("chains").size());
      // 3 projections of 64×172 per block.
      assertEquals(3L * 64 * 172, m.blocks().get(0).ffnParameters());
      assertEquals(512L * 64, m.parameters().embedding());
      long q = 64 * 64;
      long kv = 64 * 32;
      assertEquals(q + kv + kv + q, m.blocks().get(0).attentionParameters(), "q, k, v, o with 4 KV heads of 8");
    }
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class Acceptance {
    @org.junit.jupiter.api.Test
    void recognize_llamaAusten_sixteenBlocksNoChains() throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.shared("llama-austen-16l-onnx").resolve("model.onnx"));
      TransformerStructure s = TransformerStructure.recognize(g);
      assertStructure(new Expected(16, Set.of(), FfnKind.SWIGLU, Activation.SILU, 512, 192, NormKind.RMS_NORM,
          List.of(), false, false, 1, false, false), s, g);
      assertNormNames(s, "model.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nas-austen-16l-onnx-dynamo", "nas-austen-16l-onnx-torchscript"})
    void recognize_nasAusten_chainSevenToFourteen(String dir) throws Exception {
      Graph g = OnnxFiles.graph(Fixtures.shared(dir).resolve("model.onnx"));
      TransformerStructure s = TransformerStructure.recognize(g);
      JsonNode config = new ObjectMapper().readTree(Fixtures.shared("nas-austen-16l").resolve("config.json").toFile());
      long hidden = config.get("hidden_size").asLong();
      Set<Integer> noAttention = new HashSet<>();
      for (int i = 0; i < config.get("block_configs").size(); i++) {
        JsonNode b = config.get("block_configs").get(i);
        if (b.get("attention").get("no_op").asBoolean()) {
          noAttention.add(i);
        }
        long width = roundUp256((long) (2 * b.get("ffn").get("ffn_mult").asDouble() * hidden / 3));
        assertEquals(width, s.block(i).ffn().orElseThrow().ffn().width(), "width of block " + i);
      }
      assertEquals(Set.copyOf(IntStream.rangeClosed(8, 14).boxed().toList()), noAttention);
      assertStructure(new Expected(16, noAttention, FfnKind.SWIGLU, Activation.SILU, 512, hidden, NormKind.RMS_NORM,
          List.of(new Chain(7, 14)), false, false, 1, false, false), s, g);
      assertNormNames(s, dir.endsWith("torchscript") ? "model.model." : "model.");
      ModelSummary m = ModelSummary.of(s, g);
      assertEquals(List.of(new ModelSummary.ChainSummary(7, 14)), m.chains());
    }

    private static long roundUp256(long x) {
      return (x + 255) / 256 * 256;
    }
  }
}

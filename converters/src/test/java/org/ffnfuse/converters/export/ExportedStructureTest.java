package org.ffnfuse.converters.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.FfnKind;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.Chain;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Structure recognition on graphs from our own exporter (issue 4): every bundled checkpoint exported (fp32, with and
 * without KV cache) and recognized; the structure must match the checkpoint's config: block count, which blocks have
 * attention, FFN kind, activation and width, norm kind, chains, and weights mapped to initializers of the stored
 * shape.
 */
class ExportedStructureTest {
  @ParameterizedTest(name = "{0} kv-cache={4}")
  @CsvSource({"random/llama, SWIGLU, SILU, RMS_NORM, false", "random/qwen2, SWIGLU, SILU, RMS_NORM, false",
      "random/gemma, GEGLU, GELU_TANH, RMS_NORM, false", "random/phi3, SWIGLU, SILU, RMS_NORM, false",
      "random/gpt2, GELU_MLP, GELU_TANH, LAYER_NORM, false", "stories260k, SWIGLU, SILU, RMS_NORM, false",
      "nas-austen-16l, SWIGLU, SILU, RMS_NORM, false", "nas-austen-16l, SWIGLU, SILU, RMS_NORM, true",
      "random/gemma, GEGLU, GELU_TANH, RMS_NORM, true"})
  void recognize_ourExport_matchesConfig(String fixture, FfnKind kind, Activation act, NormKind norm,
      boolean kvCache, @TempDir Path tmp) throws Exception {
    Path dir = Fixtures.bundled(fixture);
    ModelConfig config = HfConfigReader.read(dir);
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(dir, onnx, ExportOptions.defaults().withKvCache(kvCache));
    try (OnnxModel m = OnnxModel.open(onnx)) {
      Graph g = Graph.of(m.proto(), m::initializer);
      TransformerStructure s = TransformerStructure.recognize(g);
      assertEquals(config.numLayers(), s.blocks().size(), "block count");
      assertEquals(config.hiddenSize(), s.hidden());
      assertEquals(config.vocabSize(), s.embedding().vocab());
      assertEquals(norm, s.finalNorm().kind());
      Set<String> downs = new HashSet<>();
      for (Block b : s.blocks()) {
        int i = b.index();
        assertEquals(config.block(i).attention().kind() != AttentionKind.NONE, b.attention().isPresent(),
            "attention in block " + i);
        assertFalse(b.parallelResidual());
        FfnMatch f = b.ffn().orElseThrow().ffn();
        assertEquals(kind, f.kind(), "FFN kind of block " + i);
        assertEquals(act, f.activation());
        assertEquals(config.block(i).ffn().intermediateSize(), f.width(), "FFN width of block " + i);
        assertEquals(norm, b.ffn().get().norm().kind());
        assertEquals(f.input(), b.ffn().get().norm().output(), "the FFN reads its own norm");
        assertWeight(g, f.down(), f.width(), config.hiddenSize());
        if (f.gateUp().isPresent()) {
          assertWeight(g, f.gateUp().get().linear(), config.hiddenSize(), 2 * f.width());
        } else {
          assertWeight(g, f.up().orElseThrow(), config.hiddenSize(), f.width());
          assertEquals(kind.gated(), f.gate().isPresent());
          f.gate().ifPresent(gate -> assertWeight(g, gate, config.hiddenSize(), f.width()));
        }
        assertTrue(downs.add(f.down().weight()), "each block its own down projection");
      }
      List<Chain> expected = fixture.equals("nas-austen-16l") ? List.of(new Chain(7, 14)) : List.of();
      assertEquals(expected, s.chains());
    }
  }

  private static void assertWeight(Graph g, LinearMatch l, long in, long out) {
    assertEquals(in, l.in());
    assertEquals(out, l.out());
    Shape stored = g.initializer(l.weight()).orElseThrow().shape();
    assertEquals(l.orientation() == Orientation.IN_OUT ? Shape.of(in, out) : Shape.of(out, in), stored);
  }
}

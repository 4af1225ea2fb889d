package org.ffnfuse.converters.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.safetensors.SafetensorsFile;
import org.ffnfuse.formats.safetensors.SafetensorsWriter;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.structure.ModelSummary;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A checkpoint's summary (config + tensor shapes) equals the summary recognized in ONNX graphs of it. */
class ModelInspectorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The JSON fields both kinds of input determine the same way: everything but the attention's spelling (graph ops vs
   * head counts) and the total parameter count (exporters add or drop buffers such as rotary tables).
   */
  static JsonNode comparable(ModelSummary s) {
    ObjectNode n = JSON.valueToTree(s);
    n.remove("tiedEmbeddings"); // TorchScript stores a transposed copy of a tied embedding
    ((ObjectNode) n.get("parameters")).remove("total");
    n.get("blocks").forEach(b -> ((ObjectNode) b).remove("attentionKind"));
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"random/llama", "random/qwen2", "random/gemma", "random/phi3", "random/gpt2", "stories260k",
      "nas-austen-16l"})
  void inspect_checkpoint_sameJsonAsOurExportOfIt(String fixture, @TempDir Path tmp) throws Exception {
    Path dir = Fixtures.bundled(fixture);
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(dir, onnx, ExportOptions.defaults());
    ModelSummary ck = ModelInspector.inspect(dir);
    ModelSummary ox = ModelInspector.inspect(onnx);
    assertEquals(comparable(ck), comparable(ox));
    assertEquals(ck.tiedEmbeddings(), ox.tiedEmbeddings(), "our exporter reuses a tied embedding");
  }

  @Test
  void inspect_nasAustenCheckpoint_blocksWidthsAndChain() throws Exception {
    ModelSummary s = ModelInspector.inspect(Fixtures.bundled("nas-austen-16l"));
    assertEquals(16, s.blocks().size());
    for (ModelSummary.BlockSummary b : s.blocks()) {
      assertEquals(b.index() < 8 || b.index() > 14, b.attention(), "attention in block " + b.index());
      assertEquals("swiglu", b.ffn());
      assertEquals(512, b.ffnWidth());
      assertEquals(b.attention() ? "gqa" : "none", b.attentionKind());
    }
    assertEquals(List.of(new ModelSummary.ChainSummary(7, 14)), s.chains());
    assertEquals(16L * 3 * 192 * 512, s.parameters().ffn());
    JsonNode json = JSON.valueToTree(s);
    assertEquals(7, json.get("chains").get(0).get("first").asInt());
    assertEquals(512, json.get("blocks").get(3).get("ffnWidth").asLong());
  }

  @Test
  void inspect_fusedModel_oneWideFfnWhereTheChainWas(@TempDir Path tmp) throws Exception {
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(Fixtures.bundled("nas-austen-16l"), onnx, ExportOptions.defaults());
    Path fused = tmp.resolve("fused.onnx");
    org.ffnfuse.converters.fuse.OnnxFusion.fuse(onnx, org.ffnfuse.graph.fusion.FusionPlan.parse("8-14"), fused);
    ModelSummary s = ModelInspector.inspect(fused);
    assertEquals(16 - 6, s.blocks().size());
    assertEquals(7 * 512, s.blocks().get(8).ffnWidth());
    assertEquals("swiglu", s.blocks().get(8).ffn());
    assertEquals(false, s.blocks().get(8).attention());
    assertEquals(true, s.blocks().get(9).attention(), "old block 15");
    assertEquals(List.of(new ModelSummary.ChainSummary(7, 8)), s.chains());
    // The same FFN weights, fused, plus the zero biases the FusedFFN signature always has (gate, up, down).
    assertEquals(ModelInspector.inspect(onnx).parameters().ffn() + 2 * 7 * 512 + 192, s.parameters().ffn());
  }

  @Test
  void inspect_unrecognizedGraph_diagnosisNamesNode(@TempDir Path tmp) throws Exception {
    // Our export of stories260k with the last FFN's down projection turned into an unknown op: the walk stops there.
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(Fixtures.bundled("stories260k"), onnx, ExportOptions.defaults());
    var model = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx));
    var g = model.getGraph().toBuilder();
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (g.getNode(i).getName().equals("/model/layers.4/mlp/down_proj/MatMul")) {
        g.setNode(i, g.getNode(i).toBuilder().setOpType("MysteryMatMul").setDomain("com.example"));
      }
    }
    Path broken = tmp.resolve("broken.onnx");
    Files.write(broken, model.toBuilder().setGraph(g).build().toByteArray());
    UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class,
        () -> ModelInspector.inspect(broken));
    assertTrue(e.diagnosis().node().contains("/model/layers.4/"), e.diagnosis().toString());
    assertTrue(e.getMessage().contains("broken.onnx"), e.getMessage());
  }

  @Test
  void inspect_neitherFolderNorOnnx_rejected(@TempDir Path tmp) throws Exception {
    Path f = Files.writeString(tmp.resolve("x.txt"), "hi");
    assertThrows(IllegalArgumentException.class, () -> ModelInspector.inspect(f));
  }

  /** random/llama (4 layers) with config.json and extra tensors as given. */
  private static Path llamaCopy(Path tmp, String configFrom, String configTo, Map<String, Tensor> extra)
      throws Exception {
    Path src = Fixtures.bundled("random/llama");
    Path dir = Files.createDirectory(tmp.resolve("ckpt"));
    Files.writeString(dir.resolve("config.json"), Files.readString(src.resolve("config.json"))
        .replace(configFrom, configTo));
    try (SafetensorsFile in = SafetensorsFile.open(src.resolve("model.safetensors"))) {
      SafetensorsWriter w = SafetensorsWriter.builder(dir.resolve("model.safetensors")).build();
      for (String n : in.names()) {
        w.add(n, in.tensor(n));
      }
      extra.forEach(w::add);
      w.write();
    }
    return dir;
  }

  @Test
  void inspect_configWithFewerLayersThanWeights_failsNamingUnusedTensors(@TempDir Path tmp) throws Exception {
    Path dir = llamaCopy(tmp, "\"num_hidden_layers\": 4", "\"num_hidden_layers\": 3", Map.of());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelInspector.inspect(dir));
    assertTrue(e.getMessage().startsWith(dir + ": 9 tensors are not used by the llama model config.json describes"
        + " (3 layers): 'model.layers.3."), e.getMessage());
    assertTrue(e.getMessage().contains(" and 1 more; ignoring them would change the model"), e.getMessage());
  }

  @Test
  void inspect_biasTheConfigDoesNotEnable_failsNamingIt(@TempDir Path tmp) throws Exception {
    Path dir = llamaCopy(tmp, "", "", Map.of("model.layers.0.mlp.down_proj.bias",
        HeapTensor.ofFloats(Shape.of(64), new float[64])));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelInspector.inspect(dir));
    assertEquals(dir + ": 1 tensor is not used by the llama model config.json describes (4 layers):"
        + " 'model.layers.0.mlp.down_proj.bias'; ignoring them would change the model. Fix config.json (layer count,"
        + " bias flags, tie_word_embeddings) or remove the tensors", e.getMessage());
  }

  @Test
  void inspect_savedRotaryBuffer_ignoredAsDerived(@TempDir Path tmp) throws Exception {
    Path dir = llamaCopy(tmp, "", "", Map.of("model.layers.0.self_attn.rotary_emb.inv_freq",
        HeapTensor.ofFloats(Shape.of(8), new float[8])));
    assertEquals(4, ModelInspector.inspect(dir).blocks().size());
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class SharedExports {
    @ParameterizedTest
    @ValueSource(strings = {"nas-austen-16l-onnx-dynamo", "nas-austen-16l-onnx-torchscript"})
    void inspect_nasAustenCheckpoint_sameJsonAsPyTorchExports(String export) throws Exception {
      ModelSummary ck = ModelInspector.inspect(Fixtures.shared("nas-austen-16l"));
      ModelSummary ox = ModelInspector.inspect(Fixtures.shared(export).resolve("model.onnx"));
      assertEquals(comparable(ck), comparable(ox));
      assertEquals(List.of(new ModelSummary.ChainSummary(7, 14)), ox.chains());
    }
  }
}

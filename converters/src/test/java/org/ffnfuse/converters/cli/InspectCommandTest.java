package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void inspect_checkpointJson_blocksAndChain() throws Exception {
    assertEquals(0, run("inspect", Fixtures.bundled("nas-austen-16l").toString(), "--json"));
    JsonNode j = new ObjectMapper().readTree(out.toString());
    assertEquals(16, j.get("blocks").size());
    assertEquals("swiglu", j.get("blocks").get(0).get("ffn").asText());
    assertEquals(512, j.get("blocks").get(0).get("ffnWidth").asLong());
    assertTrue(j.get("blocks").get(0).get("attention").asBoolean());
    assertTrue(!j.get("blocks").get(8).get("attention").asBoolean());
    assertEquals(7, j.get("chains").get(0).get("first").asInt());
    assertEquals(14, j.get("chains").get(0).get("last").asInt());
  }

  @Test
  void inspect_onnxTable_listsBlocksAndChains() {
    assertEquals(0, run("inspect", Fixtures.bundled("random/gpt2").resolve("model.torchscript.onnx").toString()));
    String t = out.toString();
    assertTrue(t.contains("4 blocks, hidden 64"), t);
    assertTrue(t.contains("gelu-mlp") && t.contains("layernorm") && t.contains("FFN chains: none"), t);
    assertEquals(4 + 4, t.lines().count(), t); // title, column heads, 4 blocks, chains, parameters
  }

  @Test
  void inspect_notATransformer_printsDiagnosisAndExitsNonZero(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("bad.onnx");
    Files.write(f, ai.onnx.proto.OnnxMl.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("g")
            .addInput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("x"))
            .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("y"))
            .addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Relu").setName("r").addInput("x")
                .addOutput("y")))
        .build().toByteArray());
    int code = run("inspect", f.toString());
    assertEquals(ErrorHandler.BAD_INPUT, code);
    assertTrue(err.toString().contains("bad.onnx") && err.toString().contains("token embedding"), err.toString());
    assertEquals("", out.toString());
  }

  /** A GenAI builder int4 model: blocks and FFN parameters (logical N·K, not packed bytes) as its source config. */
  @Test
  @Tag(Fixtures.ACCEPTANCE)
  void inspect_genAiInt4Json_blocksAndParametersOfSourceModel() throws Exception {
    ModelConfig c = HfConfigReader.read(Fixtures.shared("llama-austen-16l"));
    Path onnx = Fixtures.shared("deploy/genai-llama-austen-16l-int4-cpu").resolve("model.onnx");
    assertEquals(0, run("inspect", onnx.toString(), "--json"), err.toString());
    JsonNode j = new ObjectMapper().readTree(out.toString());
    assertEquals(c.numLayers(), j.get("blocks").size());
    for (JsonNode b : j.get("blocks")) {
      assertEquals("GroupQueryAttention", b.get("attentionKind").asText());
      assertEquals("swiglu", b.get("ffn").asText());
      assertEquals(c.block(0).ffn().intermediateSize(), b.get("ffnWidth").asLong());
      assertEquals(3L * c.hiddenSize() * c.block(0).ffn().intermediateSize(), b.get("ffnParameters").asLong());
    }
    assertEquals(0, j.get("chains").size());
    assertEquals((long) c.vocabSize() * c.hiddenSize(), j.get("parameters").get("embedding").asLong());
  }
}

package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorHandlerTest {
  static final Path STORIES = Fixtures.bundled("stories260k");
  static final String ONNX = STORIES.resolve("model.onnx").toString();
  static final String TOKENS = STORIES.resolve("tinystories-tokens.json").toString();

  @TempDir Path tmp;

  /** One line on stderr, no stack trace. */
  static void assertOneLine(CliRun r) {
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  /** One error line on stderr besides warnings ({@code ffnfuse: warning: …}), no stack trace. */
  static void assertOneErrorLine(CliRun r) {
    assertEquals(1, r.err().lines().filter(l -> !l.startsWith("ffnfuse: warning: ")).count(), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void describe_fileSystemErrors_namePathAndReasonWithoutExceptionClass() {
    assertEquals("out: output exists and is not an empty folder", ErrorHandler.describe(
        new FileAlreadyExistsException("out", null, "output exists and is not an empty folder")));
    assertEquals("plan.json: no such file (plan file not found)",
        ErrorHandler.describe(new NoSuchFileException("plan.json", null, "plan file not found")));
    assertEquals("java.io.IOException: boom", ErrorHandler.describe(new IOException("boom")));
  }

  @Nested
  class Tokens {
    @Test
    void verify_tokenizerJsonEmptyObject_badInputNamingTheFile() throws IOException {
      Path tok = Files.writeString(tmp.resolve("tokenizer.json"), "{}");
      Path text = Files.writeString(tmp.resolve("t.txt"), "Once upon a time");
      CliRun r = CliRun.of("verify", ONNX, ONNX, "--text", text.toString(), "--tokenizer", tok.toString(),
          "--bos", "1");
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
      assertTrue(r.err().startsWith("ffnfuse: " + tok + ": not a Hugging Face tokenizer.json"), r.err());
      assertOneLine(r);
    }

    @Test
    void verify_tokenizerJsonOfAnotherKind_badInputNamingTheFile() throws IOException {
      Path tok = Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\":{\"type\":\"Nope\"}}");
      Path text = Files.writeString(tmp.resolve("t.txt"), "Once upon a time");
      CliRun r = CliRun.of("verify", ONNX, ONNX, "--text", text.toString(), "--tokenizer", tok.toString(),
          "--bos", "1");
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
      assertTrue(r.err().startsWith("ffnfuse: " + tok + ": the Hugging Face tokenizers library rejects it"),
          r.err());
      assertOneLine(r);
    }

    @Test
    void verify_bosOutsideVocabulary_usageNamingOptionAndVocabulary() {
      for (String bos : new String[] {"99999", "-1", "512"}) {
        CliRun r = CliRun.of("verify", ONNX, ONNX, "--text", TOKENS, "--bos", bos, "--window", "16");
        assertEquals(ErrorHandler.USAGE, r.exit(), r.err());
        // stories260k: vocab_size 512 in its config.json
        assertEquals("ffnfuse: --bos " + bos + " is not a token id: the model's vocabulary has 512 tokens (ids"
            + " 0..511)", r.err().strip());
      }
    }

    @Test
    void verify_idsPastVocabulary_badInputNamingFileAndVocabulary() throws IOException {
      Path ids = Files.writeString(tmp.resolve("ids.json"), "{\"ids\":[1,2,3,512,4]}");
      CliRun r = CliRun.of("verify", ONNX, ONNX, "--text", ids.toString(), "--window", "2");
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
      assertTrue(r.err().startsWith("ffnfuse: " + ids + ": token id 512 (ids[3]) is outside the model's vocabulary"
          + " of 512 tokens"), r.err());
      assertOneLine(r);
    }

    @Test
    void textOption_folderOrMissing_usageNamingIt() {
      for (String[] cmd : new String[][] {{"verify", ONNX, ONNX}, {"analyze", ONNX, "-o", "x"},
          {"heal", ONNX, ONNX, "--chains", "1-2", "-o", "x"}}) {
        for (Path text : new Path[] {tmp, tmp.resolve("missing.txt")}) {
          String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd),
              java.util.stream.Stream.of("--text", text.toString())).toArray(String[]::new);
          CliRun r = CliRun.of(args);
          assertEquals(ErrorHandler.USAGE, r.exit(), r.err());
          assertTrue(r.err().startsWith("Invalid value for option '--text': " + text + ": "), r.err());
        }
      }
    }
  }

  @Nested
  class OnnxRuntime {
    @Test
    void bench_cudaWithoutGpuBuild_usageWithoutTrace() {
      CliRun r = CliRun.of("bench", ONNX, "--ep", "cuda", "--batch", "1", "--seq", "4", "--quiet");
      assertEquals(ErrorHandler.USAGE, r.exit(), r.err());
      assertTrue(r.err().startsWith("ffnfuse: the CUDA execution provider is not available"), r.err());
      assertTrue(r.err().contains("use --ep cpu"), r.err());
      assertOneLine(r);
    }

    @Test
    void bench_fileOrtCannotParse_badInputNamingTheModel() throws IOException {
      Path m = Files.writeString(tmp.resolve("m.onnx"), "not a protobuf at all");
      CliRun r = CliRun.of("bench", m.toString(), "--batch", "1", "--seq", "4", "--quiet");
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
      // bench's memory estimate reads the model first, so the project's own ONNX reader names the problem.
      assertTrue(r.err().startsWith("ffnfuse: " + m + ": not an ONNX model"), r.err());
      assertOneLine(r);
    }

    @Test
    void bench_modelAllocatingFourTebibytes_ioErrorNamingTheModel() throws IOException {
      Path m = tmp.resolve("huge.onnx");
      Files.write(m, hugeAllocation().toByteArray());
      CliRun r = CliRun.of("bench", m.toString(), "--batch", "1", "--seq", "4", "--warmup", "0", "--repeats", "1",
          "--quiet");
      assertEquals(ErrorHandler.IO_ERROR, r.exit(), r.err());
      assertTrue(r.err().startsWith("ffnfuse: ONNX Runtime ran out of resources: " + m + ": "), r.err());
      assertTrue(r.err().contains("allocate"), r.err());
      assertOneErrorLine(r);
    }

    /** input_ids → (unused); logits = ConstantOfShape([2^40]): 4 TiB of fp32 zeros. */
    private OnnxMl.ModelProto hugeAllocation() {
      var ids = OnnxMl.ValueInfoProto.newBuilder().setName("input_ids").setType(OnnxMl.TypeProto.newBuilder()
          .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.INT64_VALUE)
              .setShape(OnnxMl.TensorShapeProto.newBuilder()
                  .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("b"))
                  .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("s")))));
      var logits = OnnxMl.ValueInfoProto.newBuilder().setName("logits").setType(OnnxMl.TypeProto.newBuilder()
          .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)));
      var shape = OnnxMl.TensorProto.newBuilder().setName("shape").setDataType(
          OnnxMl.TensorProto.DataType.INT64_VALUE).addDims(1).addInt64Data(1L << 40);
      // Shape of input_ids, so the allocation happens when the model runs, not when constants are folded
      var graph = OnnxMl.GraphProto.newBuilder().setName("g").addInput(ids).addOutput(logits)
          .addInitializer(shape)
          .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Shape").addInput("input_ids").addOutput("ids_shape"))
          .addNode(OnnxMl.NodeProto.newBuilder().setOpType("ReduceProd").addInput("ids_shape").addOutput("n")
              .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("keepdims").setI(1)
                  .setType(OnnxMl.AttributeProto.AttributeType.INT)))
          .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("shape").addInput("n")
              .addOutput("big"))
          .addNode(OnnxMl.NodeProto.newBuilder().setOpType("ConstantOfShape").addInput("big").addOutput("logits"));
      return OnnxMl.ModelProto.newBuilder().setIrVersion(8).addOpsetImport(
          OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(graph).build();
    }
  }

  @Nested
  class NamesFromFiles {
    @Test
    void inspect_tensorNameWithTerminalEscape_printedEscaped() throws IOException {
      Path ck = Files.createDirectories(tmp.resolve("ck"));
      Files.copy(Fixtures.bundled("random/llama").resolve("config.json"), ck.resolve("config.json"));
      // JSON escapes: the tensor name holds ESC [31m and BEL themselves
      byte[] header = "{\"\\u001b[31mevil\\u0007\":{\"dtype\":\"BF17\",\"shape\":[1],\"data_offsets\":[0,2]}}"
          .getBytes(StandardCharsets.UTF_8);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + 2)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.putLong(header.length).put(header);
      Files.write(ck.resolve("model.safetensors"), b.array());
      CliRun r = CliRun.of("inspect", ck.toString());
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
      assertTrue(r.err().contains("'\\u001b[31mevil\\u0007'") && r.err().contains("BF17"), r.err());
      assertFalse(r.err().contains("\u001b") || r.err().contains("\u0007"), r.err());
    }

    @Test
    void inspect_modelPathWithTerminalEscape_tablePrintedEscaped() throws IOException {
      Path ck = Files.createDirectories(tmp.resolve("ck\u001b]0;pwned\u0007"));
      for (String f : new String[] {"config.json", "model.safetensors"}) {
        Files.copy(Fixtures.bundled("random/llama").resolve(f), ck.resolve(f));
      }
      CliRun r = CliRun.of("inspect", ck.toString());
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().startsWith(tmp + "/ck\\u001b]0;pwned\\u0007: 4 blocks"), r.out());
      assertFalse(r.out().contains("\u001b") || r.out().contains("\u0007"), r.out());
      assertEquals(8, r.out().lines().count(), r.out()); // line feeds kept
    }

    @Test
    void inspect_ffnMultOverflowingInt_widthReportedWithoutWrapping() throws IOException {
      Path ck = Files.createDirectories(tmp.resolve("ck"));
      String config = Files.readString(Fixtures.bundled("nas-austen-16l").resolve("config.json"));
      String hostile = config.replaceFirst("\"ffn_mult\": *[0-9.]+", "\"ffn_mult\": 1e15");
      assertFalse(hostile.equals(config), "fixture has ffn_mult");
      Files.writeString(ck.resolve("config.json"), hostile);
      CliRun r = CliRun.of("inspect", ck.toString());
      assertEquals(ErrorHandler.BAD_INPUT, r.exit(), r.err());
      // 2 · 1e15 · 192 / 3 = 1.28e17, rounded up to a multiple of 256 (exact in double and long)
      assertTrue(r.err().contains("FFN width of 128000000000000000 for hidden_size 192"), r.err());
      assertFalse(r.err().contains("-2147483648"), r.err());
    }
  }

  @Nested
  class DropAttentionAuto {
    @Test
    void auto_zeroOrMoreThanTheAttentionBlocks_rejectedBeforeReadingText() throws IOException {
      // A text that cannot be measured: were it read first, this would be exit 3 (bad input)
      Path bad = Files.writeString(tmp.resolve("bad.json"), "not json");
      String llama = Fixtures.bundled("random/llama").toString();
      CliRun zero = CliRun.of("drop-attention", llama, "--auto", "0", "--text", bad.toString(), "-o",
          tmp.resolve("a").toString());
      assertEquals(ErrorHandler.USAGE, zero.exit(), zero.err());
      assertTrue(zero.err().contains("--auto 0"), zero.err());
      CliRun many = CliRun.of("drop-attention", llama, "--auto", "100", "--text", bad.toString(), "-o",
          tmp.resolve("b").toString());
      assertEquals(ErrorHandler.USAGE, many.exit(), many.err());
      assertTrue(many.err().contains("--auto 100: " + llama + " has 4 blocks with attention (of 4)"), many.err());
    }
  }
}

package org.ffnfuse.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelWriterTest {
  @TempDir Path dir;

  static TensorProto init(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow();
  }

  static Map<String, String> ext(TensorProto t) {
    return t.getExternalDataList().stream()
        .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
  }

  static Set<String> listing(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  /** Reopens {@code file} and checks every initializer's bytes equal those of {@code original}'s proto. */
  static ModelProto assertSameData(ModelProto original, Path file) throws IOException {
    try (OnnxModel m = OnnxModel.open(file)) {
      for (TensorProto t : original.getGraph().getInitializerList()) {
        Tensor expected = TensorProtos.inline(t, TensorProtos.dtype(t), TensorProtos.shape(t));
        assertArrayEquals(OnnxModelTest.bytes(expected), OnnxModelTest.bytes(m.initializer(t.getName())),
            t.getName());
      }
      return m.proto();
    } catch (TensorProtos.InvalidTensorException e) {
      throw new AssertionError(e);
    }
  }

  @Nested
  class Layout {
    @Test
    void write_defaults_largeInitializersExternalAlignedSmallInline() throws IOException {
      ModelProto src = TestModels.linear(1);
      Path out = dir.resolve("model.onnx");
      OnnxModelWriter.write(src, Map.of(), out);
      assertEquals(Set.of("model.onnx", "model.onnx.data"), listing(dir));
      ModelProto written = assertSameData(src, out);
      for (String name : new String[] {"w", "b"}) {
        TensorProto t = init(written, name);
        assertEquals(TensorProto.DataLocation.EXTERNAL, t.getDataLocation(), name);
        assertFalse(t.hasRawData(), name);
        Map<String, String> e = ext(t);
        assertEquals("model.onnx.data", e.get("location"));
        assertEquals(0, Long.parseLong(e.get("offset")) % 4096, name);
        assertEquals(init(src, name).getRawData().size(), Long.parseLong(e.get("length")), name);
      }
      assertEquals(init(src, "s"), init(written, "s")); // 4 bytes: below the threshold, kept as it was
      assertEquals(2 * 4096 + 1200, Files.size(dir.resolve("model.onnx.data")));
    }

    @Test
    void write_threshold_onlyInitializersAtOrAboveItExternal() throws IOException {
      ModelProto src = TestModels.linear(2);
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of(), out, OnnxWriteOptions.defaults().withThreshold(1201));
      ModelProto written = assertSameData(src, out);
      assertTrue(TensorProtos.isExternal(init(written, "w")));
      assertFalse(TensorProtos.isExternal(init(written, "b")));
      OnnxModelWriter.write(src, Map.of(), out, OnnxWriteOptions.defaults().withThreshold(1200));
      assertTrue(TensorProtos.isExternal(init(assertSameData(src, out), "b")));
    }

    @Test
    void write_allExternal_everyNonEmptyInitializerExternal() throws IOException {
      ModelProto src = TestModels.linear(3);
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of(), out, OnnxWriteOptions.allExternal());
      ModelProto written = assertSameData(src, out);
      assertTrue(written.getGraph().getInitializerList().stream().allMatch(TensorProtos::isExternal));
      assertEquals(3 * 4096 + 4, Files.size(dir.resolve("m.onnx.data")));
    }

    @Test
    void write_noExternal_singleSelfContainedFile() throws IOException {
      ModelProto src = TestModels.linear(4);
      OnnxModelWriter.write(src, Map.of(), dir.resolve("m.onnx"), OnnxWriteOptions.noExternal());
      assertEquals(Set.of("m.onnx"), listing(dir));
      try (OnnxModel m = OnnxModel.open(dir.resolve("m.onnx"))) {
        assertEquals(src, m.proto());
      }
    }

    @Test
    void write_customDataFileNameAndAlignment_used() throws IOException {
      ModelProto src = TestModels.linear(5);
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of(), out, OnnxWriteOptions.defaults().withDataFileName("weights.bin")
          .withAlignment(64));
      ModelProto written = assertSameData(src, out);
      assertEquals("weights.bin", ext(init(written, "b")).get("location"));
      assertEquals("4800", ext(init(written, "b")).get("offset")); // 4800 is already a multiple of 64
      assertEquals(Set.of("m.onnx", "weights.bin"), listing(dir));
    }

    @Test
    void options_dataFileNameWithPath_rejected() {
      assertThrows(IllegalArgumentException.class, () -> OnnxWriteOptions.defaults().withDataFileName("../x"));
      assertThrows(IllegalArgumentException.class, () -> OnnxWriteOptions.defaults().withDataFileName("a/b"));
      assertThrows(IllegalArgumentException.class, () -> OnnxWriteOptions.defaults().withAlignment(0));
      assertThrows(IllegalArgumentException.class, () -> OnnxWriteOptions.defaults().withThreshold(-1));
    }

    @Test
    void write_typedFieldsAboveThreshold_externalizedAsLittleEndianBytes() throws IOException {
      TensorProto.Builder t = TensorProto.newBuilder().setName("typed").setDataType(DataType.FLOAT_VALUE)
          .addDims(400);
      Random rnd = new Random(6);
      for (int i = 0; i < 400; i++) {
        t.addFloatData(rnd.nextFloat());
      }
      TensorProto small = TensorProto.newBuilder().setName("small").setDataType(DataType.INT64_VALUE).addDims(2)
          .addInt64Data(3).addInt64Data(-4).build();
      ModelProto src = TestModels.withInitializers(t.build(), small);
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of(), out);
      ModelProto written = assertSameData(src, out);
      assertTrue(TensorProtos.isExternal(init(written, "typed")));
      assertEquals(0, init(written, "typed").getFloatDataCount());
      assertEquals(small, init(written, "small")); // typed encoding of an inline tensor is kept
    }
  }

  @Nested
  class TensorData {
    @Test
    void write_tensorData_replacesProtoData() throws IOException {
      ModelProto src = TestModels.linear(7);
      float[] w = new float[TestModels.IN * TestModels.OUT];
      float[] s = {42f};
      for (int i = 0; i < w.length; i++) {
        w[i] = i;
      }
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of("w", HeapTensor.ofFloats(Shape.of(TestModels.IN, TestModels.OUT), w),
          "s", HeapTensor.ofFloats(Shape.of(1), s)), out);
      try (OnnxModel m = OnnxModel.open(out)) {
        assertArrayEquals(w, m.initializer("w").toFloats());
        assertArrayEquals(s, m.initializer("s").toFloats());
        assertTrue(init(m.proto(), "s").hasRawData());
        assertArrayEquals(init(src, "b").getRawData().toByteArray(), OnnxModelTest.bytes(m.initializer("b")));
      }
    }

    @Test
    void write_protoWithoutData_everyInitializerFromTensorData() throws IOException {
      ModelProto src = TestModels.linear(16);
      GraphProto.Builder g = src.getGraph().toBuilder();
      Map<String, Tensor> data = new java.util.HashMap<>();
      for (int i = 0; i < g.getInitializerCount(); i++) {
        TensorProto t = g.getInitializer(i);
        data.put(t.getName(), HeapTensor.ofBytes(DType.F32, Shape.copyOf(t.getDimsList()),
            t.getRawData().toByteArray()));
        g.setInitializer(i, t.toBuilder().clearRawData()); // name, dims and data_type only, as an exporter builds it
      }
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src.toBuilder().setGraph(g).build(), data, out);
      assertSameData(src, out);
    }

    @Test
    void copy_externalSourceWithNoExternal_inlinesEverything() throws IOException {
      ModelProto src = TestModels.linear(17);
      Path ext = Files.createDirectories(dir.resolve("ext")).resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of(), ext, OnnxWriteOptions.allExternal());
      Path single = Files.createDirectories(dir.resolve("single")).resolve("m.onnx");
      try (OnnxModel m = OnnxModel.open(ext)) {
        OnnxModelWriter.copy(m, single, OnnxWriteOptions.noExternal());
      }
      assertEquals(Set.of("m.onnx"), listing(single.getParent()));
      try (OnnxModel m = OnnxModel.open(single)) {
        assertEquals(src, m.proto());
      }
    }

    @Test
    void write_tensorDataWrongDtype_throwsNamingIt() throws IOException {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModelWriter.write(
          TestModels.linear(8), Map.of("b", HeapTensor.ofFloats(DType.BF16, Shape.of(TestModels.OUT),
              new float[TestModels.OUT])), dir.resolve("m.onnx")));
      assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("BF16"), e.getMessage());
      assertTrue(listing(dir).isEmpty());
    }

    @Test
    void write_tensorDataWrongShape_throwsNamingIt() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModelWriter.write(
          TestModels.linear(9), Map.of("w", HeapTensor.ofFloats(Shape.of(TestModels.OUT, TestModels.IN),
              new float[TestModels.IN * TestModels.OUT])), dir.resolve("m.onnx")));
      assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[300, 4]"), e.getMessage());
    }

    @Test
    void write_tensorDataUnknownName_throwsNamingIt() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModelWriter.write(
          TestModels.linear(10), Map.of("nope", HeapTensor.ofFloats(Shape.of(1), new float[1])),
          dir.resolve("m.onnx")));
      assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void write_externalInitializerWithoutTensorData_throwsNamingIt() {
      ModelProto src = TestModels.withInitializers(
          TestModels.external("far", DataType.FLOAT_VALUE, "x.data", "0", "16", 4));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OnnxModelWriter.write(src, Map.of(), dir.resolve("m.onnx")));
      assertTrue(e.getMessage().contains("'far'") && e.getMessage().contains("tensorData"), e.getMessage());
    }

    @Test
    void write_externalTensorInConstantNode_throwsNamingNode() {
      ModelProto lin = TestModels.linear(11);
      GraphProto g = lin.getGraph().toBuilder().addNode(NodeProto.newBuilder().setName("const0")
          .setOpType("Constant").addOutput("c").addAttribute(TestModels.tensorAttribute("value",
              TestModels.external("cval", DataType.FLOAT_VALUE, "c.data", "0", "4", 1)))).build();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OnnxModelWriter.write(lin.toBuilder().setGraph(g).build(), Map.of(), dir.resolve("m.onnx")));
      assertTrue(e.getMessage().contains("'const0'"), e.getMessage());
    }
  }

  @Nested
  class Atomicity {
    /** A tensor that fails after half its bytes, as a full disk or a dying source would. */
    private final Tensor failing = new Tensor() {
      @Override
      public DType dtype() {
        return DType.F32;
      }

      @Override
      public Shape shape() {
        return Shape.of(TestModels.OUT);
      }

      @Override
      public void read(long offset, ByteBuffer dst) throws IOException {
        if (offset + dst.remaining() > byteSize() / 2) {
          throw new IOException("source failed at byte " + offset);
        }
        dst.position(dst.limit());
      }

      @Override
      public void writeTo(java.nio.channels.WritableByteChannel out) throws IOException {
        out.write(ByteBuffer.allocate(100));
        throw new IOException("source failed after 100 bytes");
      }
    };

    @Test
    void write_failureMidway_deletesTempFilesAndKeepsExistingOutput() throws IOException {
      Path out = dir.resolve("m.onnx");
      ModelProto before = TestModels.linear(12);
      OnnxModelWriter.write(before, Map.of(), out);
      byte[] model = Files.readAllBytes(out);
      byte[] data = Files.readAllBytes(dir.resolve("m.onnx.data"));
      IOException e = assertThrows(IOException.class,
          () -> OnnxModelWriter.write(TestModels.linear(13), Map.of("b", failing), out));
      assertTrue(e.getMessage().contains("100 bytes"), e.getMessage());
      assertEquals(Set.of("m.onnx", "m.onnx.data"), listing(dir));
      assertArrayEquals(model, Files.readAllBytes(out));
      assertArrayEquals(data, Files.readAllBytes(dir.resolve("m.onnx.data")));
    }

    @Test
    void write_inlineSourceFailure_deletesTempFiles() throws IOException {
      assertThrows(IOException.class, () -> OnnxModelWriter.write(TestModels.linear(14), Map.of("b", failing),
          dir.resolve("m.onnx"), OnnxWriteOptions.noExternal()));
      assertTrue(listing(dir).isEmpty());
    }

    @Test
    void copy_ontoItself_replacesFilesWhileReadingThem() throws IOException {
      ModelProto src = TestModels.linear(15);
      Path out = dir.resolve("m.onnx");
      OnnxModelWriter.write(src, Map.of(), out, OnnxWriteOptions.allExternal());
      try (OnnxModel m = OnnxModel.open(out)) {
        OnnxModelWriter.copy(m, out, OnnxWriteOptions.allExternal().withAlignment(64));
      }
      ModelProto written = assertSameData(src, out);
      assertEquals("4800", ext(init(written, "b")).get("offset"));
      assertEquals(Set.of("m.onnx", "m.onnx.data"), listing(dir));
    }
  }
}

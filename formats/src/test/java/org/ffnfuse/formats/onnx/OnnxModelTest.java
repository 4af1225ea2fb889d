package org.ffnfuse.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.FloatCodec;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.MappedTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelTest {
  @TempDir Path dir;

  static byte[] bytes(Tensor t) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteSize()));
    t.read(0, b);
    return b.array();
  }

  static byte[] randomBytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Nested
  class Views {
    @Test
    void initializer_rawData_equalsRawBytesWithoutCopy() throws IOException {
      Path file = Fixtures.bundled("stories260k").resolve("model.onnx");
      try (OnnxModel m = OnnxModel.open(file)) {
        List<TensorProto> inits = m.proto().getGraph().getInitializerList();
        assertEquals(inits.stream().map(TensorProto::getName).toList(), m.initializerNames());
        for (TensorProto t : inits) {
          Tensor v = m.initializer(t.getName());
          assertEquals(t.getDataType(), v.dtype().onnxCode(), t.getName());
          assertEquals(Shape.copyOf(t.getDimsList()), v.shape(), t.getName());
          assertArrayEquals(t.getRawData().toByteArray(), bytes(v), t.getName());
          assertFalse(v instanceof HeapTensor, "raw_data is viewed in place, not copied: " + v);
        }
      }
    }

    @Test
    void initializer_typedFields_decodedToLittleEndian() throws IOException {
      short f16 = FloatCodec.floatToF16(1.5f);
      short bf16 = FloatCodec.floatToBf16(-2.25f);
      ModelProto proto = TestModels.withInitializers(
          TensorProto.newBuilder().setName("f32").setDataType(DataType.FLOAT_VALUE).addDims(2)
              .addFloatData(1.25f).addFloatData(-3f).build(),
          TensorProto.newBuilder().setName("f64").setDataType(DataType.DOUBLE_VALUE).addDoubleData(0.5).build(),
          TensorProto.newBuilder().setName("i64").setDataType(DataType.INT64_VALUE).addDims(2)
              .addInt64Data(-7).addInt64Data(1L << 40).build(),
          TensorProto.newBuilder().setName("f16").setDataType(DataType.FLOAT16_VALUE).addDims(1)
              .addInt32Data(f16 & 0xffff).build(),
          TensorProto.newBuilder().setName("bf16").setDataType(DataType.BFLOAT16_VALUE).addDims(1)
              .addInt32Data(bf16 & 0xffff).build(),
          TensorProto.newBuilder().setName("i8").setDataType(DataType.INT8_VALUE).addDims(2)
              .addInt32Data(-5).addInt32Data(7).build(),
          TensorProto.newBuilder().setName("bool").setDataType(DataType.BOOL_VALUE).addDims(2)
              .addInt32Data(1).addInt32Data(0).build(),
          TensorProto.newBuilder().setName("empty").setDataType(DataType.FLOAT_VALUE).addDims(0).build());
      try (OnnxModel m = OnnxModel.open(TestModels.save(proto, dir.resolve("typed.onnx")))) {
        assertArrayEquals(new float[] {1.25f, -3f}, m.initializer("f32").toFloats());
        assertEquals(Shape.of(), m.initializer("f64").shape());
        assertArrayEquals(new float[] {0.5f}, m.initializer("f64").toFloats());
        ByteBuffer i64 = ByteBuffer.wrap(bytes(m.initializer("i64"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(-7, i64.getLong());
        assertEquals(1L << 40, i64.getLong());
        assertArrayEquals(new float[] {1.5f}, m.initializer("f16").toFloats());
        assertArrayEquals(new float[] {-2.25f}, m.initializer("bf16").toFloats());
        assertArrayEquals(new byte[] {-5, 7}, bytes(m.initializer("i8")));
        assertArrayEquals(new byte[] {1, 0}, bytes(m.initializer("bool")));
        assertEquals(DType.BOOL, m.initializer("bool").dtype());
        assertEquals(0, m.initializer("empty").byteSize());
      }
    }

    @Test
    void initializer_externalData_viewsShareOneMappedFile() throws IOException {
      Files.createDirectories(dir.resolve("weights"));
      byte[] data = randomBytes(7, 10_000);
      Files.write(dir.resolve("weights/w.bin"), data);
      ModelProto proto = TestModels.withInitializers(
          TestModels.external("a", DataType.FLOAT_VALUE, "weights/w.bin", "0", "4000", 10, 100),
          TestModels.external("b", DataType.BFLOAT16_VALUE, "./weights/../weights/w.bin", "4096", null, 3, 7));
      try (OnnxModel m = OnnxModel.open(TestModels.save(proto, dir.resolve("model.onnx")))) {
        MappedTensor a = assertInstanceOf(MappedTensor.class, m.initializer("a"));
        MappedTensor b = assertInstanceOf(MappedTensor.class, m.initializer("b"));
        assertSame(a.file(), b.file());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 4000), bytes(a));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 4096, 4096 + 42), bytes(b));
        assertTrue(m.isExternal("a"));
      }
    }

    @Test
    void findInitializer_unknownName_empty() throws IOException {
      try (OnnxModel m = OnnxModel.open(Fixtures.bundled("stories260k").resolve("model.onnx"))) {
        assertTrue(m.findInitializer("no such tensor").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> m.initializer("no such tensor"));
        assertTrue(e.getMessage().contains("no such tensor"), e.getMessage());
      }
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void close_twice_isIdempotent() throws IOException {
      OnnxModel m = OnnxModel.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"));
      m.close();
      m.close();
    }

    @Test
    void accessors_afterClose_throwIllegalState() throws IOException {
      OnnxModel m = OnnxModel.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"));
      m.close();
      assertThrows(IllegalStateException.class, m::proto);
      assertThrows(IllegalStateException.class, m::initializerNames);
      assertThrows(IllegalStateException.class, () -> m.initializer("model.embed_tokens.weight"));
      assertThrows(IllegalStateException.class, () -> m.findInitializer("model.embed_tokens.weight"));
    }

    @Test
    void externalView_afterClose_readThrowsIllegalState() throws IOException {
      Files.write(dir.resolve("w.bin"), randomBytes(3, 400));
      Path file = TestModels.save(TestModels.withInitializers(
          TestModels.external("w", DataType.FLOAT_VALUE, "w.bin", "0", "400", 100)), dir.resolve("model.onnx"));
      Tensor view;
      try (OnnxModel m = OnnxModel.open(file)) {
        view = m.initializer("w");
      }
      assertThrows(IllegalStateException.class, () -> view.read(0, ByteBuffer.allocate(4)));
    }
  }
}

package org.ffnfuse.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.ffnfuse.formats.tensor.MappedFile;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External data beyond 2 GiB, on a sparse data file (cheap to make; only the pages touched are read): a single tensor
 * larger than 2 GiB, a tensor spanning the 2 GiB offset, reads across mapping windows.
 */
class OnnxLargeModelTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  private static final long BIG_BYTES = 2 * GIB + 8 * MIB;
  private static final long EDGE_OFFSET = 2 * GIB - 8 * 1024;
  private static final long TAIL_OFFSET = 2 * GIB + 12 * MIB;
  private static final long FILE_BYTES = 2 * GIB + 16 * MIB;
  /** Random blocks written at these offsets; everything else is a hole reading as zeros. */
  private static final long[] MARKS = {MappedFile.WINDOW_BYTES - 32 * 1024, 2 * GIB - 32 * 1024, TAIL_OFFSET};
  private static final int MARK_BYTES = 64 * 1024;

  @TempDir Path dir;
  private Path model;
  private byte[][] marks;

  @BeforeEach
  void sparseModel() throws IOException {
    Random rnd = new Random(2024);
    marks = new byte[MARKS.length][MARK_BYTES];
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.data").toFile(), "rw")) {
      f.setLength(FILE_BYTES);
      for (int i = 0; i < MARKS.length; i++) {
        rnd.nextBytes(marks[i]);
        f.seek(MARKS[i]);
        f.write(marks[i]);
      }
    }
    ModelProto proto = TestModels.withInitializers(
        TestModels.external("big", DataType.FLOAT_VALUE, "big.data", "0", Long.toString(BIG_BYTES), BIG_BYTES / 4),
        TestModels.external("edge", DataType.FLOAT_VALUE, "big.data", Long.toString(EDGE_OFFSET), "16384", 4096),
        TestModels.external("tail", DataType.FLOAT16_VALUE, "big.data", Long.toString(TAIL_OFFSET), null, 64, 512));
    model = TestModels.save(proto, dir.resolve("model.onnx"));
  }

  /** The bytes the data file holds in {@code [offset, offset+n)}: marker bytes where written, zeros elsewhere. */
  private byte[] expected(long offset, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < MARKS.length; i++) {
      long from = Math.max(offset, MARKS[i]);
      long to = Math.min(offset + n, MARKS[i] + MARK_BYTES);
      if (from < to) {
        System.arraycopy(marks[i], (int) (from - MARKS[i]), out, (int) (from - offset), (int) (to - from));
      }
    }
    return out;
  }

  private static byte[] read(Tensor t, long offset, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    t.read(offset, b);
    return b.array();
  }

  @Test
  void open_dataFileOver2GiB_viewsReadAcrossWindowAndIntBoundaries() throws IOException {
    try (OnnxModel m = OnnxModel.open(model)) {
      Tensor big = m.initializer("big");
      assertTrue(big.byteSize() > Integer.MAX_VALUE);
      for (long at : new long[] {MARKS[0] - 100, MARKS[1] - 100, 2 * GIB - 1000, BIG_BYTES - 70_000}) {
        assertArrayEquals(expected(at, 70_000), read(big, at, 70_000), "big at " + at);
      }
      Tensor edge = m.initializer("edge");
      assertArrayEquals(expected(EDGE_OFFSET, 16384), read(edge, 0, 16384));
      Tensor tail = m.initializer("tail");
      assertArrayEquals(expected(TAIL_OFFSET, 65536), read(tail, 0, 65536));

      long first = (2 * GIB - 8) / 4; // floats 2 either side of the 2 GiB offset
      float[] floats = big.toFloats(first, 4);
      ByteBuffer raw = ByteBuffer.wrap(expected(first * 4, 16)).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : floats) {
        assertEquals(raw.getFloat(), f, 0f);
      }
    }
  }

  @Test
  @Tag(Fixtures.ACCEPTANCE) // writes 2 GiB to disk
  void copy_modelWithOver2GiBOfData_streamsEveryByte() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out")).resolve("model.onnx");
    try (OnnxModel m = OnnxModel.open(model)) {
      OnnxModelWriter.copy(m, out);
    }
    assertTrue(Files.size(out) < 4096, "the proto stays small");
    try (OnnxModel m = OnnxModel.open(out)) {
      Tensor big = m.initializer("big");
      for (long at : new long[] {0, MARKS[0] - 100, MARKS[1] - 100, BIG_BYTES - 70_000}) {
        assertArrayEquals(expected(at, 70_000), read(big, at, 70_000), "big at " + at);
      }
      assertArrayEquals(expected(EDGE_OFFSET, 16384), read(m.initializer("edge"), 0, 16384));
      assertArrayEquals(expected(TAIL_OFFSET, 65536), read(m.initializer("tail"), 0, 65536));
      for (TensorProto t : m.proto().getGraph().getInitializerList()) {
        assertEquals(0, Long.parseLong(OnnxModelWriterTest.ext(t).get("offset")) % 4096, t.getName());
      }
      assertEquals(Long.toString(BIG_BYTES), OnnxModelWriterTest.ext(m.proto().getGraph().getInitializer(0))
          .get("length"));
    }
    assertEquals(BIG_BYTES + 16384 + 65536, Files.size(out.resolveSibling("model.onnx.data"))); // all aligned already
  }
}

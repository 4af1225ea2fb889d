package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.MappedFile;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single BF16 tensor of 2.5 GiB, more than one Java buffer can map, in a sparse file (holes cost no disk). Markers
 * sit at the start, across the 1 GiB mapping window boundary, across the 2 GiB (int) boundary, and at the end.
 */
class SafetensorsLargeTensorTest {
  static final long ROWS = 1280;
  static final long COLS = 1 << 20;
  static final long BYTES = ROWS * COLS * 2; // 2.5 GiB

  @TempDir Path dir;
  Path file;
  long dataStart;

  /** Data offsets (relative to the data section) where 8-byte markers are written. */
  long[] markers;

  @BeforeEach
  void sparseFile() throws IOException {
    file = dir.resolve("big.safetensors");
    String json = "{\"big\":{\"dtype\":\"BF16\",\"shape\":[" + ROWS + "," + COLS + "],\"data_offsets\":[0," + BYTES
        + "]}}";
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    int n = h.length + (8 - h.length % 8) % 8;
    dataStart = 8 + n;
    markers = new long[] {0, MappedFile.WINDOW_BYTES - dataStart - 4, (1L << 31) - 4, BYTES - 8};
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(dataStart + BYTES);
      ByteBuffer head = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(n).put(h);
      while (head.hasRemaining()) {
        head.put((byte) ' ');
      }
      raf.write(head.array());
      for (int i = 0; i < markers.length; i++) {
        raf.seek(dataStart + markers[i]);
        raf.write(marker(i));
      }
    }
  }

  /** Four bf16 values: 1, 2, 3, 4 times (i + 1). */
  static byte[] marker(int i) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 1; k <= 4; k++) {
      b.putShort((short) (Float.floatToRawIntBits(k * (i + 1f)) >>> 16));
    }
    return b.array();
  }

  @Test
  void read_tensorOver2GiB_markersAcrossWindowAndIntBoundaries() throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Tensor t = f.tensor("big");
      assertEquals(DType.BF16, t.dtype());
      assertEquals(Shape.of(ROWS, COLS), t.shape());
      assertEquals(BYTES, t.byteSize());
      for (int i = 0; i < markers.length; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(8);
        t.read(markers[i], b);
        byte[] got = new byte[8];
        b.flip().get(got);
        assertArrayEquals(marker(i), got, "marker " + i + " at data offset " + markers[i]);
        float[] v = t.toFloats(markers[i] / 2, 4);
        assertArrayEquals(new float[] {i + 1f, 2 * (i + 1f), 3 * (i + 1f), 4 * (i + 1f)}, v, "marker " + i);
      }
      // A hole reads as zeros.
      assertArrayEquals(new float[4], t.toFloats(5L << 27, 4));
    }
  }

  @Test
  void checkpoint_tensorOver2GiB_totalBytesIsLong() throws IOException {
    try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(file)) {
      assertEquals(BYTES, c.totalBytes());
      assertTrue(c.totalBytes() > Integer.MAX_VALUE);
    }
  }

  /**
   * The writer with a 2.5 GiB source: the source skips ahead in the output (leaving a hole, so the test writes almost
   * nothing to disk) and writes a marker at its end; offsets past 2³¹ must come out right in header and data.
   */
  @Test
  void write_tensorOver2GiB_headerOffsetsAndDataPositionAreRight() throws IOException {
    Tensor sparse = new Tensor() {
      @Override
      public DType dtype() {
        return DType.BF16;
      }

      @Override
      public Shape shape() {
        return Shape.of(ROWS, COLS);
      }

      @Override
      public void read(long offset, ByteBuffer dst) {
        throw new UnsupportedOperationException("written by writeTo only");
      }

      @Override
      public void writeTo(WritableByteChannel out) throws IOException {
        FileChannel ch = (FileChannel) out;
        ch.position(ch.position() + BYTES - 8);
        ByteBuffer m = ByteBuffer.wrap(marker(3));
        while (m.hasRemaining()) {
          ch.write(m);
        }
      }
    };
    Path out = dir.resolve("written.safetensors");
    SafetensorsWriter.builder(out).build().add("small", HeapTensor.ofFloats(Shape.of(2), new float[] {5f, 6f}))
        .add("big", sparse).write();
    try (SafetensorsFile f = SafetensorsFile.open(out)) {
      assertEquals(List.of("small", "big"), f.names());
      assertEquals(f.layout().dataStart() + 8 + BYTES, f.size());
      assertArrayEquals(new float[] {5f, 6f}, f.tensor("small").toFloats());
      Tensor big = f.tensor("big");
      assertEquals(BYTES, big.byteSize());
      assertArrayEquals(new float[] {4f, 8f, 12f, 16f}, big.toFloats(BYTES / 2 - 4, 4));
      assertArrayEquals(new float[4], big.toFloats(BYTES / 2 - 8, 4));
    }
    assertTrue(SafetensorsWriterTest.headerOf(out).contains("\"data_offsets\":[8," + (8 + BYTES) + "]"));
  }
}

package org.ffnfuse.formats.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedFileTest {
  @TempDir Path dir;

  private byte[] randomFile(Path p, int n) throws IOException {
    byte[] data = new byte[n];
    new Random(3).nextBytes(data);
    Files.write(p, data);
    return data;
  }

  @Test
  void read_acrossWindowBoundaries_returnsFileBytes() throws IOException {
    Path p = dir.resolve("f.bin");
    byte[] data = randomFile(p, 1000);
    try (MappedFile f = MappedFile.open(p, 64)) {
      Random rnd = new Random(5);
      for (int i = 0; i < 500; i++) {
        int off = rnd.nextInt(1000);
        int len = rnd.nextInt(1000 - off + 1);
        ByteBuffer b = ByteBuffer.allocate(len);
        f.read(off, b);
        assertEquals(len, b.position());
        assertArrayEquals(Arrays.copyOfRange(data, off, off + len), b.array());
        ByteBuffer s = f.slice(off, len);
        byte[] got = new byte[len];
        s.get(got);
        assertArrayEquals(Arrays.copyOfRange(data, off, off + len), got, "slice at " + off + "+" + len);
      }
    }
  }

  @Test
  void mappedTensor_viewsItsRange_andStreamsIt() throws IOException {
    Path p = dir.resolve("f.bin");
    byte[] data = randomFile(p, 4096);
    try (MappedFile f = MappedFile.open(p, 100)) {
      MappedTensor t = new MappedTensor(f, 96, DType.F32, Shape.of(10, 20));
      assertEquals(800, t.byteSize());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      t.writeTo(Channels.newChannel(out));
      assertArrayEquals(Arrays.copyOfRange(data, 96, 896), out.toByteArray());
      float[] floats = t.toFloats();
      assertEquals(ByteBuffer.wrap(data, 96 + 4 * 7, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(),
          floats[7]);
      assertThrows(IndexOutOfBoundsException.class, () -> t.read(790, ByteBuffer.allocate(20)));
    }
  }

  @Test
  void mappedTensor_outsideFile_isRejected() throws IOException {
    Path p = dir.resolve("f.bin");
    randomFile(p, 100);
    try (MappedFile f = MappedFile.open(p)) {
      assertThrows(IllegalArgumentException.class, () -> new MappedTensor(f, 90, DType.F32, Shape.of(4)));
    }
  }

  @Test
  void close_isIdempotent_andUseAfterCloseThrows() throws IOException {
    Path p = dir.resolve("f.bin");
    randomFile(p, 100);
    MappedFile f = MappedFile.open(p);
    MappedTensor t = new MappedTensor(f, 0, DType.U8, Shape.of(100));
    f.close();
    f.close();
    assertTrue(f.isClosed());
    assertThrows(IllegalStateException.class, () -> t.read(0, ByteBuffer.allocate(4)));
    assertThrows(IllegalStateException.class, () -> f.slice(0, 4));
  }

  @Test
  void heapTensor_floatsRoundTripThroughEveryFloatDType() throws IOException {
    float[] v = {0f, 1f, -2.5f, 3.140625f, 65504f, 1e-3f};
    for (DType t : new DType[] {DType.F32, DType.F64, DType.F16, DType.BF16}) {
      HeapTensor h = HeapTensor.ofFloats(t, Shape.of(2, 3), v);
      float[] back = h.toFloats();
      for (int i = 0; i < v.length; i++) {
        float tol = t == DType.BF16 ? Math.abs(v[i]) / 128 : t == DType.F16 ? Math.abs(v[i]) / 1024 : 0;
        assertEquals(v[i], back[i], tol, t + " element " + i);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> HeapTensor.ofFloats(Shape.of(4), v));
    assertThrows(IllegalArgumentException.class, () -> HeapTensor.ofLongs(Shape.of(1), new long[] {1}).toFloats());
  }
}

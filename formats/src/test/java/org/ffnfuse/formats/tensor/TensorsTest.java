package org.ffnfuse.formats.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorsTest {
  private static float[] random(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  /** Bytes from writeTo and from many small odd-sized reads must agree. */
  private static byte[] assertStreamsConsistently(Tensor t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.writeTo(Channels.newChannel(out));
    byte[] whole = out.toByteArray();
    assertEquals(t.byteSize(), whole.length);
    byte[] pieces = new byte[whole.length];
    for (int off = 0; off < pieces.length; off += 37) {
      ByteBuffer b = ByteBuffer.allocate(Math.min(37, pieces.length - off));
      t.read(off, b);
      System.arraycopy(b.array(), 0, pieces, off, b.capacity());
    }
    assertArrayEquals(whole, pieces);
    return whole;
  }

  @Test
  void transposed_matchesNaive() throws IOException {
    Random rnd = new Random(1);
    float[] a = random(rnd, 7 * 13);
    Tensor t = Tensors.transposed(Tensor.ofFloats(Shape.of(7, 13), a), DType.F32);
    assertEquals(Shape.of(13, 7), t.shape());
    float[] got = t.toFloats();
    for (int i = 0; i < 7; i++) {
      for (int j = 0; j < 13; j++) {
        assertEquals(a[i * 13 + j], got[j * 7 + i]);
      }
    }
    assertStreamsConsistently(t);
  }

  @Test
  void concatRows_withColumnScales_matchesNaive() throws IOException {
    Random rnd = new Random(2);
    float[] a = random(rnd, 3 * 5);
    float[] b = random(rnd, 4 * 5);
    float[] s = random(rnd, 5);
    Tensor t = Tensors.concatRows(DType.F32,
        List.of(Tensor.ofFloats(Shape.of(3, 5), a), Tensor.ofFloats(Shape.of(4, 5), b)),
        List.of(Optional.of(s), Optional.empty()));
    assertEquals(Shape.of(7, 5), t.shape());
    float[] got = t.toFloats();
    for (int j = 0; j < 5; j++) {
      assertEquals(a[2 * 5 + j] * s[j], got[2 * 5 + j]);
      assertEquals(b[1 * 5 + j], got[4 * 5 + j]);
    }
    assertStreamsConsistently(t);
  }

  @Test
  void concatColumns_withRowScales_matchesNaive() throws IOException {
    Random rnd = new Random(3);
    float[] a = random(rnd, 4 * 2);
    float[] b = random(rnd, 4 * 3);
    float[] s = random(rnd, 4);
    Tensor t = Tensors.concatColumns(DType.F32,
        List.of(Tensor.ofFloats(Shape.of(4, 2), a), Tensor.ofFloats(Shape.of(4, 3), b)),
        List.of(Optional.empty(), Optional.of(s)));
    float[] got = t.toFloats();
    for (int i = 0; i < 4; i++) {
      assertEquals(a[i * 2 + 1], got[i * 5 + 1]);
      assertEquals(b[i * 3 + 2] * s[i], got[i * 5 + 4]);
    }
    assertStreamsConsistently(t);
  }

  @Test
  void converted_toBf16_roundsOnce() throws IOException {
    float[] v = {1.00390625f, 3.3f, -7e-5f};
    Tensor t = Tensors.converted(Tensor.ofFloats(Shape.of(3), v), DType.BF16);
    float[] got = t.toFloats();
    for (int i = 0; i < v.length; i++) {
      assertEquals(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(v[i])), got[i]);
    }
  }

  @Test
  void sum_addsInFp32() throws IOException {
    Tensor t = Tensors.sum(DType.F32, List.of(Tensor.ofFloats(Shape.of(2), new float[] {1, 2}),
        Tensor.ofFloats(Shape.of(2), new float[] {10, 20})));
    assertArrayEquals(new float[] {11, 22}, t.toFloats());
  }

  @Test
  void largeTensor_streamsInManyBlocks() throws IOException {
    Random rnd = new Random(4);
    float[] a = random(rnd, 300 * 1200); // > 1 MiB output, several row blocks
    Tensor t = Tensors.transposed(Tensor.ofFloats(Shape.of(300, 1200), a), DType.F16);
    byte[] bytes = assertStreamsConsistently(t);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertEquals(FloatCodec.floatToF16(a[299 * 1200 + 1199]), b.getShort((1199 * 300 + 299) * 2));
  }

  @Test
  void mismatchedParts_areRejected() {
    Tensor a = Tensor.ofFloats(Shape.of(2, 3), new float[6]);
    Tensor b = Tensor.ofFloats(Shape.of(2, 4), new float[8]);
    assertThrows(IllegalArgumentException.class,
        () -> Tensors.concatRows(DType.F32, List.of(a, b), List.of(Optional.empty(), Optional.empty())));
    assertThrows(IllegalArgumentException.class,
        () -> Tensors.concatColumns(DType.F32, List.of(a, Tensor.ofFloats(Shape.of(3, 2), new float[6])),
            List.of(Optional.empty(), Optional.empty())));
    assertThrows(IllegalArgumentException.class,
        () -> Tensors.concatRows(DType.F32, List.of(a), List.of(Optional.of(new float[2]))));
  }
}

package org.ffnfuse.converters.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import org.ffnfuse.formats.tensor.Shape;
import org.junit.jupiter.api.Test;

class RandomBf16TensorTest {
  private static byte[] streamed(RandomBf16Tensor t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.writeTo(Channels.newChannel(out));
    return out.toByteArray();
  }

  @Test
  void read_atOddOffsetsAndLengths_matchesWriteTo() throws IOException {
    RandomBf16Tensor t = RandomBf16Tensor.of(Shape.of(37, 101), 5, RandomBf16Tensor.WEIGHTS);
    byte[] whole = streamed(t);
    byte[] pieces = new byte[whole.length];
    for (int off = 0; off < whole.length; ) {
      int n = Math.min(1 + off % 29, whole.length - off);
      ByteBuffer b = ByteBuffer.allocate(n);
      t.read(off, b);
      System.arraycopy(b.array(), 0, pieces, off, n);
      off += n;
    }
    assertArrayEquals(whole, pieces);
  }

  @Test
  void values_dependOnSeedOnly_andStayInTheirRange() throws IOException {
    RandomBf16Tensor a = RandomBf16Tensor.of(Shape.of(4096), 1, RandomBf16Tensor.WEIGHTS);
    assertArrayEquals(streamed(a), streamed(RandomBf16Tensor.of(Shape.of(4096), 1, RandomBf16Tensor.WEIGHTS)));
    assertNotEquals(java.util.Arrays.toString(streamed(a)),
        java.util.Arrays.toString(streamed(RandomBf16Tensor.of(Shape.of(4096), 2, RandomBf16Tensor.WEIGHTS))));
    for (float v : a.toFloats()) {
      assertTrue(Math.abs(v) >= 0x1p-7f && Math.abs(v) < 0x1p-5f, "weight " + v);
    }
    for (float v : RandomBf16Tensor.of(Shape.of(4096), 3, RandomBf16Tensor.GAINS).toFloats()) {
      assertTrue(v >= 1 && v < 2, "gain " + v);
    }
  }
}

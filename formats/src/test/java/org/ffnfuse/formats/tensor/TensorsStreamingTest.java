package org.ffnfuse.formats.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming internals of {@link Tensors} on sizes that cross their block, tile and scratch boundaries (transpose
 * tiles of 32 rows, 1 MiB scratch reads, multi-block outputs), from BF16 sources in a file as in a real checkpoint.
 */
class TensorsStreamingTest {
  @TempDir Path dir;

  /** A BF16 tensor in a file (read through {@link MappedFile}), and its values as floats. */
  private record Source(Tensor tensor, float[] values) {}

  private Source bf16File(String name, int rows, int cols, long seed) throws IOException {
    Random rnd = new Random(seed);
    float[] v = new float[rows * cols];
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < v.length; i++) {
      short bits = FloatCodec.floatToBf16((float) rnd.nextGaussian());
      v[i] = FloatCodec.bf16ToFloat(bits);
      b.putShort(bits);
    }
    Path f = Files.write(dir.resolve(name), b.array());
    MappedFile mf = MappedFile.open(f);
    return new Source(new MappedTensor(mf, 0, DType.BF16, Shape.of(rows, cols)), v);
  }

  private static float[] streamed(Tensor t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.writeTo(Channels.newChannel(out));
    ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[(int) t.shape().elementCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.dtype() == DType.F32 ? b.getFloat() : FloatCodec.bf16ToFloat(b.getShort());
    }
    return v;
  }

  @Test
  void transposed_rowsNotAMultipleOfTheTile_matchesNaive_inWriteToAndRead() throws IOException {
    int r = 1000;
    int c = 777; // 1000 input rows: 31 full tiles and a partial one; output blocks of many rows
    Source s = bf16File("t.bin", r, c, 1);
    Tensor t = Tensors.transposed(s.tensor(), DType.F32);
    float[] expected = new float[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        expected[j * r + i] = s.values()[i * c + j];
      }
    }
    assertArrayEquals(expected, streamed(t));
    assertArrayEquals(expected, t.toFloats());
    assertArrayEquals(java.util.Arrays.copyOfRange(expected, 5 * r + 3, 5 * r + 3 + 2000), t.toFloats(5 * r + 3, 2000));
  }

  @Test
  void transposedConcatenations_areConcatenationsOfTransposes_withOneRounding() throws IOException {
    int hidden = 70;
    Source a = bf16File("ta.bin", 300, hidden, 6);
    Source b = bf16File("tb.bin", 200, hidden, 7);
    float[] ga = new float[hidden];
    for (int i = 0; i < hidden; i++) {
      ga[i] = 0.3f + i / 7f;
    }
    Tensor rows = Tensors.concatRows(DType.F32, List.of(a.tensor(), b.tensor(), Tensors.zeros(DType.BF16,
        Shape.of(12, hidden))), List.of(Optional.of(ga), Optional.empty(), Optional.empty()));
    for (DType to : List.of(DType.F32, DType.BF16)) {
      Tensor t = Tensors.transposed(rows, to);
      assertEquals(Shape.of(hidden, 512), t.shape());
      float[] r = rows.toFloats();
      float[] expected = new float[r.length];
      for (int i = 0; i < 512; i++) {
        for (int j = 0; j < hidden; j++) {
          float v = r[i * hidden + j];
          expected[j * 512 + i] = to == DType.BF16 ? FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(v)) : v;
        }
      }
      assertArrayEquals(expected, streamed(t), "to " + to);
      Tensor back = Tensors.transposed(t, DType.F32);
      assertEquals(Shape.of(512, hidden), back.shape());
    }
    Tensor cols = Tensors.concatColumns(DType.F32, List.of(Tensors.transposed(a.tensor(), DType.F32),
        Tensors.transposed(b.tensor(), DType.F32)), List.of(Optional.of(ga), Optional.empty()));
    Tensor tc = Tensors.transposed(cols, DType.F32);
    float[] c = cols.toFloats();
    float[] expected = new float[c.length];
    for (int i = 0; i < hidden; i++) {
      for (int j = 0; j < 500; j++) {
        expected[j * hidden + i] = c[i * 500 + j];
      }
    }
    assertArrayEquals(expected, streamed(tc));
  }

  @Test
  void concatRowsAndColumns_withScales_largerThanScratch_matchNaive() throws IOException {
    int hidden = 300;
    Source a = bf16File("a.bin", 1100, hidden, 2); // 660 KB each: reads cross the 1 MiB scratch in parts
    Source b = bf16File("b.bin", 1000, hidden, 3);
    float[] ga = new float[hidden];
    float[] gb = new float[hidden];
    for (int i = 0; i < hidden; i++) {
      ga[i] = 1 + i / 100f;
      gb[i] = 2 - i / 300f;
    }
    Tensor rows = Tensors.concatRows(DType.F32, List.of(a.tensor(), b.tensor()), List.of(Optional.of(ga),
        Optional.of(gb)));
    float[] expectedRows = new float[2100 * hidden];
    for (int i = 0; i < 2100; i++) {
      for (int j = 0; j < hidden; j++) {
        expectedRows[i * hidden + j] = i < 1100 ? a.values()[i * hidden + j] * ga[j]
            : b.values()[(i - 1100) * hidden + j] * gb[j];
      }
    }
    assertArrayEquals(expectedRows, streamed(rows));
    Source d1 = bf16File("d1.bin", hidden, 1100, 4);
    Source d2 = bf16File("d2.bin", hidden, 1000, 5);
    Tensor cols = Tensors.concatColumns(DType.BF16, List.of(d1.tensor(), d2.tensor()), List.of(Optional.empty(),
        Optional.empty()));
    float[] expectedCols = new float[hidden * 2100];
    for (int i = 0; i < hidden; i++) {
      for (int j = 0; j < 2100; j++) {
        expectedCols[i * 2100 + j] = j < 1100 ? d1.values()[i * 1100 + j] : d2.values()[i * 1000 + j - 1100];
      }
    }
    assertArrayEquals(expectedCols, streamed(cols));
  }
}

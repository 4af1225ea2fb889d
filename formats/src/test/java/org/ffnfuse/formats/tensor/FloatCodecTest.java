package org.ffnfuse.formats.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FloatCodecTest {

  /** Every finite half value, ascending, as (value, bits) pairs; the reference for rounding. */
  private static final float[] HALF_VALUES;
  private static final short[] HALF_BITS;

  static {
    float[] v = new float[0x7c00 * 2];
    short[] b = new short[v.length];
    int n = 0;
    for (int bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) == 0x7c00 || bits == 0x8000) {
        continue; // inf/NaN, and -0 (equal to +0)
      }
      v[n] = FloatCodec.f16ToFloat((short) bits);
      b[n] = (short) bits;
      n++;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(v[x], v[y]));
    HALF_VALUES = new float[n];
    HALF_BITS = new short[n];
    for (int i = 0; i < n; i++) {
      HALF_VALUES[i] = v[order[i]];
      HALF_BITS[i] = b[order[i]];
    }
  }

  /** Nearest half by search, ties to the even mantissa. Only for |f| < 65504. */
  private static short referenceF16(float f) {
    if (f < 0 || Float.floatToRawIntBits(f) == 0x80000000) {
      return (short) (0x8000 | referenceF16(-f));
    }
    int i = Arrays.binarySearch(HALF_VALUES, f);
    if (i >= 0) {
      return HALF_BITS[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double dLo = (double) f - HALF_VALUES[lo];
    double dHi = (double) HALF_VALUES[hi] - f;
    if (dLo < dHi) {
      return HALF_BITS[lo];
    }
    if (dHi < dLo) {
      return HALF_BITS[hi];
    }
    return (HALF_BITS[lo] & 1) == 0 ? HALF_BITS[lo] : HALF_BITS[hi];
  }

  @Nested
  class Half {
    @Test
    void decodeThenEncode_everyNonNanPattern_returnsSameBits() {
      for (int bits = 0; bits < 0x10000; bits++) {
        boolean nan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
        float f = FloatCodec.f16ToFloat((short) bits);
        if (nan) {
          assertTrue(Float.isNaN(f), "NaN pattern " + Integer.toHexString(bits));
        } else {
          assertEquals((short) bits, FloatCodec.floatToF16(f), "pattern " + Integer.toHexString(bits));
        }
      }
    }

    @Test
    void encode_randomFloats_matchesNearestEvenReference() {
      Random rnd = new Random(42);
      for (int i = 0; i < 200_000; i++) {
        float f = (float) ((rnd.nextDouble() * 2 - 1) * Math.pow(2, rnd.nextInt(40) - 26));
        assertEquals(referenceF16(f), FloatCodec.floatToF16(f), "value " + f);
      }
    }

    @Test
    void encode_midpointsBetweenNeighbours_roundToEven() {
      for (int i = 0; i + 1 < HALF_VALUES.length; i += 37) {
        float mid = (float) (((double) HALF_VALUES[i] + HALF_VALUES[i + 1]) / 2);
        if ((double) mid == ((double) HALF_VALUES[i] + HALF_VALUES[i + 1]) / 2) {
          assertEquals(referenceF16(mid), FloatCodec.floatToF16(mid), "midpoint " + mid);
        }
      }
    }

    @Test
    void encode_overflowAndSpecials() {
      assertEquals((short) 0x7c00, FloatCodec.floatToF16(70000f));
      assertEquals((short) 0xfc00, FloatCodec.floatToF16(-1e10f));
      assertEquals((short) 0x7bff, FloatCodec.floatToF16(65504f));
      assertEquals((short) 0x7c00, FloatCodec.floatToF16(65520f)); // exactly halfway to 2^16 rounds to inf (even)
      assertTrue(Float.isNaN(FloatCodec.f16ToFloat(FloatCodec.floatToF16(Float.NaN))));
      assertEquals((short) 0x8000, FloatCodec.floatToF16(-0f));
    }

    @Test
    void encodeBulk_finiteValueBeyondRange_throwsNamingTheValue() {
      float[] values = new float[5000];
      Arrays.fill(values, 1f);
      values[4500] = -1e6f; // in the second scratch block
      ByteBuffer dst = ByteBuffer.allocate(values.length * 2);
      Fp16OverflowException e = assertThrows(Fp16OverflowException.class,
          () -> FloatCodec.encode(DType.F16, values, 0, values.length, dst));
      assertEquals(-1e6f, e.value());
      assertTrue(e.getMessage().contains("-1000000.0") && e.getMessage().contains("-Infinity"), e.getMessage());
    }

    @Test
    void encodeBulk_largestRoundingToFiniteAndNonFiniteSources_pass() {
      float[] values = {65519.996f, -65504f, Float.POSITIVE_INFINITY, Float.NaN};
      ByteBuffer dst = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      FloatCodec.encode(DType.F16, values, 0, values.length, dst);
      assertEquals((short) 0x7bff, dst.getShort(0));
      assertEquals((short) 0xfbff, dst.getShort(2));
      assertEquals((short) 0x7c00, dst.getShort(4));
    }

    @Test
    void clampedToFp16_convertedTensorBeyondRange_clampsFiniteValuesOnly() throws Exception {
      Tensor src = HeapTensor.ofFloats(Shape.of(2, 2), new float[] {1e6f, -7e4f, 3f, Float.NEGATIVE_INFINITY});
      Tensor f16 = Tensors.converted(src, DType.F16);
      assertThrows(Fp16OverflowException.class, f16::toFloats);
      assertArrayEquals(new float[] {65504f, -65504f, 3f, Float.NEGATIVE_INFINITY},
          Tensors.clampedToFp16(f16).toFloats());
    }
  }

  @Nested
  class BFloat16 {
    @Test
    void decodeThenEncode_everyNonNanPattern_returnsSameBits() {
      for (int bits = 0; bits < 0x10000; bits++) {
        float f = FloatCodec.bf16ToFloat((short) bits);
        if (!Float.isNaN(f)) {
          assertEquals((short) bits, FloatCodec.floatToBf16(f));
        }
      }
    }

    @Test
    void encode_randomFloats_matchesNearestEven() {
      Random rnd = new Random(7);
      for (int i = 0; i < 200_000; i++) {
        float f = Float.intBitsToFloat(rnd.nextInt());
        if (Float.isNaN(f)) {
          assertTrue(Float.isNaN(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(f))));
          continue;
        }
        short got = FloatCodec.floatToBf16(f);
        int x = Float.floatToRawIntBits(f);
        float lo = Float.intBitsToFloat(x & 0xffff0000);
        float hiF = Float.intBitsToFloat((x & 0xffff0000) + 0x10000);
        double hi = Float.isInfinite(hiF) ? Math.copySign(0x1p128, hiF) : hiF;
        double dLo = Math.abs((double) f - lo);
        double dHi = Math.abs(hi - f);
        int expect = dLo < dHi ? (x >>> 16) : dHi < dLo ? ((x >>> 16) + 1) : ((x >>> 16) + ((x >>> 16) & 1));
        assertEquals((short) expect, got, "value " + f);
      }
    }
  }
}

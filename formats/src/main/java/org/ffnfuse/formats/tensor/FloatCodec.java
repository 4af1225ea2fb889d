package org.ffnfuse.formats.tensor;

import java.nio.ByteBuffer;

/**
 * Conversions between {@code float} and the 16-bit and 64-bit float encodings. Narrowing rounds to nearest, ties to
 * even, as PyTorch and ONNX Runtime do; NaN stays NaN. A single {@link #floatToF16} turns overflow into infinity;
 * the bulk {@link #encode} refuses it ({@link Fp16OverflowException}).
 */
public final class FloatCodec {
  /** The largest finite fp16 value. */
  public static final float FP16_MAX = 65504f;

  private FloatCodec() {}

  /** bfloat16 bits → float (exact). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** float → bfloat16 bits, round to nearest even. */
  public static short floatToBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    if ((x & 0x7fffffff) > 0x7f800000) {
      return (short) ((x >>> 16) | 0x0040); // quiet NaN, keep sign
    }
    int rounding = 0x7fff + ((x >>> 16) & 1);
    return (short) ((x + rounding) >>> 16);
  }

  /** IEEE half bits → float (exact). */
  public static float f16ToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f; // subnormal: mant × 2^-24
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** float → IEEE half bits, round to nearest even. */
  public static short floatToF16(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int abs = x & 0x7fffffff;
    if (abs > 0x7f800000) {
      return (short) (sign | 0x7e00);
    }
    if (abs >= 0x477ff000) { // ≥ 65520 rounds to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x38800000) { // below the smallest normal half (2^-14): subnormal or zero
      // 0.5f scales so that the half subnormal unit 2^-24 lands on float's integer grid via addition.
      float a = Float.intBitsToFloat(abs);
      int r = Float.floatToRawIntBits(a + 0.5f) - Float.floatToRawIntBits(0.5f);
      return (short) (sign | r);
    }
    int mantOdd = (abs >>> 13) & 1;
    abs += 0xc8000fff + mantOdd; // rebias exponent (−112 << 23) and round to nearest even
    return (short) (sign | (abs >>> 13));
  }

  /** Elements converted per step of the bulk loops (a small scratch array, reused within one call). */
  private static final int STEP = 4096;

  /**
   * Decodes {@code n} elements of type {@code t} from {@code src} (in its byte order, little-endian for every format we
   * read), starting at its position, into {@code dst[off..]}. The 16-bit types are copied in bulk into a scratch array
   * and widened in a tight loop.
   */
  static void decode(DType t, ByteBuffer src, float[] dst, int off, int n) {
    switch (t) {
      case F32 -> src.asFloatBuffer().get(dst, off, n);
      case F64 -> {
        java.nio.DoubleBuffer d = src.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          dst[off + i] = (float) d.get(i);
        }
      }
      case BF16 -> {
        java.nio.ShortBuffer sb = src.asShortBuffer();
        short[] tmp = new short[Math.min(n, STEP)];
        for (int i = 0; i < n; i += STEP) {
          int m = Math.min(STEP, n - i);
          sb.get(tmp, 0, m);
          for (int j = 0; j < m; j++) {
            dst[off + i + j] = Float.intBitsToFloat(tmp[j] << 16);
          }
        }
      }
      case F16 -> {
        java.nio.ShortBuffer sb = src.asShortBuffer();
        short[] tmp = new short[Math.min(n, STEP)];
        for (int i = 0; i < n; i += STEP) {
          int m = Math.min(STEP, n - i);
          sb.get(tmp, 0, m);
          for (int j = 0; j < m; j++) {
            dst[off + i + j] = f16ToFloat(tmp[j]);
          }
        }
      }
      default -> throw new IllegalArgumentException("dtype " + t + " does not convert to float");
    }
  }

  /** Throws for the first finite value of {@code values[from..from+n)} that fp16 rounds to infinity. */
  private static void requireNoOverflow(float[] values, int from, int n) {
    for (int j = 0; j < n; j++) {
      float v = values[from + j];
      if (Float.isFinite(v) && Math.abs(v) >= 65520f) { // ≥ 65520 rounds to infinity (floatToF16)
        throw new Fp16OverflowException(v);
      }
    }
  }

  /**
   * Encodes {@code values[off..off+n)} as {@code t} in {@code dst}'s byte order (little-endian for every format we
   * write) at its position, advancing it. The 16-bit types are narrowed into a scratch array and copied in bulk.
   *
   * @throws Fp16OverflowException if {@code t} is F16 and a finite value would become infinite (|x| ≥ 65520)
   */
  public static void encode(DType t, float[] values, int off, int n, ByteBuffer dst) {
    switch (t) {
      case F32 -> dst.asFloatBuffer().put(values, off, n);
      case F64 -> {
        java.nio.DoubleBuffer d = dst.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          d.put(i, values[off + i]);
        }
      }
      case BF16, F16 -> {
        java.nio.ShortBuffer sb = dst.asShortBuffer();
        short[] tmp = new short[Math.min(n, STEP)];
        boolean bf16 = t == DType.BF16;
        for (int i = 0; i < n; i += STEP) {
          int m = Math.min(STEP, n - i);
          if (bf16) {
            for (int j = 0; j < m; j++) {
              tmp[j] = floatToBf16(values[off + i + j]);
            }
          } else {
            boolean infOrNan = false; // rare: only then look for a finite value that overflowed
            for (int j = 0; j < m; j++) {
              tmp[j] = floatToF16(values[off + i + j]);
              infOrNan |= (tmp[j] & 0x7c00) == 0x7c00;
            }
            if (infOrNan) {
              requireNoOverflow(values, off + i, m);
            }
          }
          sb.put(tmp, 0, m);
        }
      }
      default -> throw new IllegalArgumentException("dtype " + t + " is not a float type");
    }
    // The views above write through without moving dst; advance it past what was written.
    dst.position(dst.position() + n * t.byteSize());
  }
}

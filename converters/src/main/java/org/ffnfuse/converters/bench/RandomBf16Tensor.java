package org.ffnfuse.converters.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Deterministic pseudo-random BF16 values, generated when read and never stored: each aligned 8-byte word (four values)
 * is splitmix64 of its index and the seed, with the exponent bits forced into a chosen range. Any byte range can be read
 * in any order with the same result, and streaming runs at several GB/s, so writing a generated checkpoint is bound by
 * the disk.
 *
 * <p>The bits are produced directly as BF16 rather than through {@code RowBlockTensor}'s fp32 → BF16 rounding: the
 * values are random anyway, and skipping the float round trip keeps generation off the profile.
 */
public final class RandomBf16Tensor implements Tensor {
  /** Values whose magnitude is in [2⁻⁷, 2⁻⁵), either sign: the scale of trained linear weights. */
  public static final Range WEIGHTS = new Range(0x80FF_80FF_80FF_80FFL, 0x3C00_3C00_3C00_3C00L);
  /** Positive values in [1, 2): the scale of trained RMSNorm gains. */
  public static final Range GAINS = new Range(0x007F_007F_007F_007FL, 0x3F80_3F80_3F80_3F80L);

  /**
   * Which bits of each random 16-bit lane are kept ({@code keep}) and which are then set ({@code set}), four lanes per
   * word; this bounds the exponent and so the magnitude.
   */
  public record Range(long keep, long set) {}

  private static final int WRITE_BUFFER_BYTES = 4 << 20;

  private final Shape shape;
  private final long seed;
  private final Range range;

  private RandomBf16Tensor(Shape shape, long seed, Range range) {
    this.shape = checkNotNull(shape);
    this.seed = seed;
    this.range = checkNotNull(range);
  }

  /** A tensor of {@code shape} whose values depend only on {@code seed} and {@code range}. */
  public static RandomBf16Tensor of(Shape shape, long seed, Range range) {
    return new RandomBf16Tensor(shape, seed, range);
  }

  @Override
  public DType dtype() {
    return DType.BF16;
  }

  @Override
  public Shape shape() {
    return shape;
  }

  /** The little-endian word at byte offset {@code 8·index}. */
  long word(long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return ((z ^ (z >>> 31)) & range.keep()) | range.set();
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    Objects.checkFromIndexSize(offset, dst.remaining(), byteSize());
    ByteBuffer d = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long pos = offset;
    while (d.hasRemaining() && (pos & 7) != 0) {
      d.put((byte) (word(pos >>> 3) >>> ((pos & 7) * 8)));
      pos++;
    }
    int at = d.position();
    int words = d.remaining() >>> 3;
    long w0 = pos >>> 3;
    for (int i = 0; i < words; i++) {
      d.putLong(at + 8 * i, word(w0 + i));
    }
    d.position(at + 8 * words);
    pos += 8L * words;
    while (d.hasRemaining()) {
      d.put((byte) (word(pos >>> 3) >>> ((pos & 7) * 8)));
      pos++;
    }
    dst.position(d.position());
  }

  /** Generates into a reused direct buffer and writes it. */
  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    long size = byteSize();
    ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(WRITE_BUFFER_BYTES, Math.max(size, 8)));
    for (long pos = 0; pos < size; ) {
      buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
      read(pos, buf);
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      pos += buf.limit();
    }
  }

  /** A seed for tensor {@code name} of a model seeded with {@code modelSeed} (stable across runs and JVMs). */
  public static long seedFor(long modelSeed, String name) {
    checkArgument(name != null && !name.isEmpty(), "empty tensor name");
    long h = modelSeed;
    for (int i = 0; i < name.length(); i++) {
      h = (h ^ name.charAt(i)) * 0x100000001B3L; // FNV-1a style mixing, 64-bit
    }
    return h;
  }

  @Override
  public String toString() {
    return "RandomBf16Tensor[" + shape + ", seed " + seed + "]";
  }
}

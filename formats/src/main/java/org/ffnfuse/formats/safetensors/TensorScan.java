package org.ffnfuse.formats.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Reads every byte, or converts every element, of a set of tensors: the core loop of read-throughput benchmarks
 * ({@code ffnfuse bench-io}) and a full integrity read (every page of a mapped file touched).
 */
public final class TensorScan {
  private TensorScan() {}

  /**
   * What a scan touched.
   *
   * @param bytes bytes read from the tensors
   * @param elements elements converted (0 for {@link #read})
   * @param checksum a value depending on the data read (a sum of sampled values), so the work cannot be skipped
   */
  public record Result(long bytes, long elements, double checksum) {}

  /**
   * Reads each tensor fully with {@link Tensor#read}, {@code buffer.capacity()} bytes at a time, into {@code buffer}
   * (reused; a direct buffer avoids a second copy).
   */
  public static Result read(Iterable<? extends Tensor> tensors, ByteBuffer buffer) throws IOException {
    checkArgument(buffer.capacity() >= 8, "buffer of %s bytes; need at least 8", buffer.capacity());
    ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long total = 0;
    double checksum = 0;
    for (Tensor t : tensors) {
      long size = t.byteSize();
      for (long pos = 0; pos < size; ) {
        b.clear();
        b.limit((int) Math.min(b.capacity(), size - pos));
        t.read(pos, b);
        checksum += b.get(0);
        pos += b.limit();
      }
      total += size;
    }
    return new Result(total, 0, checksum);
  }

  /**
   * Converts every element of each tensor whose dtype {@linkplain org.ffnfuse.formats.tensor.DType#convertsToFloat()
   * converts to float} with {@link Tensor#toFloats(long, int)}, {@code blockElements} at a time; other tensors are
   * skipped.
   */
  public static Result toFloats(Iterable<? extends Tensor> tensors, int blockElements) throws IOException {
    checkArgument(blockElements > 0, "blockElements must be positive, got %s", blockElements);
    long bytes = 0;
    long elements = 0;
    double checksum = 0;
    for (Tensor t : tensors) {
      if (!t.dtype().convertsToFloat()) {
        continue;
      }
      long n = t.shape().elementCount();
      for (long first = 0; first < n; first += blockElements) {
        int count = (int) Math.min(blockElements, n - first);
        float[] v = t.toFloats(first, count);
        checksum += v[0] + v[count - 1];
      }
      elements += n;
      bytes += t.byteSize();
    }
    return new Result(bytes, elements, checksum);
  }
}

package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * A tensor's dtype, shape and little-endian bytes, read on demand.
 *
 * <p>Implementations are views over memory-mapped files ({@link MappedTensor}), arrays in heap ({@link HeapTensor}) or
 * values computed block by block when written. Reading never loads more than the caller asks for, so a checkpoint
 * larger than RAM can be streamed tensor by tensor, and a tensor larger than 2 GiB in windows.
 */
public interface Tensor {
  /** Chunk size used by the default streaming methods. */
  int CHUNK_BYTES = 1 << 20;

  DType dtype();

  Shape shape();

  /** Size of the data in bytes: element count × dtype size. */
  default long byteSize() {
    return Math.multiplyExact(shape().elementCount(), (long) dtype().byteSize());
  }

  /**
   * Copies the bytes starting at {@code offset} into {@code dst}, filling it up to its limit.
   *
   * @throws IndexOutOfBoundsException if the range leaves the tensor
   * @throws IllegalStateException if the file behind the view was closed
   */
  void read(long offset, ByteBuffer dst) throws IOException;

  /** Writes all bytes to {@code out}, in chunks of at most {@link #CHUNK_BYTES}. */
  default void writeTo(WritableByteChannel out) throws IOException {
    long size = byteSize();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(size, 1)));
    for (long pos = 0; pos < size; ) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), size - pos));
      read(pos, buf);
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      pos += buf.limit();
    }
  }

  /** All elements as floats; for {@link DType#convertsToFloat()} types of fewer than 2³¹ elements. */
  default float[] toFloats() throws IOException {
    long n = shape().elementCount();
    checkArgument(n <= Integer.MAX_VALUE, "tensor of %s elements does not fit a float[]; read it in blocks", n);
    return toFloats(0, (int) n);
  }

  /** {@code count} elements starting at element {@code first}, converted to float. */
  default float[] toFloats(long first, int count) throws IOException {
    DType t = dtype();
    checkArgument(t.convertsToFloat(), "dtype %s does not convert to float", t);
    checkArgument(first >= 0 && count >= 0 && first + count <= shape().elementCount(),
        "elements [%s, %s) outside tensor of shape %s", first, first + (long) count, shape());
    float[] out = new float[count];
    int es = t.byteSize();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min((long) count * es, CHUNK_BYTES - CHUNK_BYTES % 8))
        .order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, buf.capacity() / es);
      buf.clear();
      buf.limit(n * es);
      read((first + done) * es, buf);
      buf.flip();
      FloatCodec.decode(t, buf, out, done, n);
      done += n;
    }
    return out;
  }

  /** An F32 tensor holding a copy of {@code values}. */
  static Tensor ofFloats(Shape shape, float[] values) {
    return HeapTensor.ofFloats(shape, values);
  }
}

package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/** A tensor whose little-endian bytes live in a heap array (at most 2 GiB). */
public final class HeapTensor implements Tensor {
  private final DType dtype;
  private final Shape shape;
  private final byte[] bytes;

  private HeapTensor(DType dtype, Shape shape, byte[] bytes) {
    this.dtype = checkNotNull(dtype);
    this.shape = checkNotNull(shape);
    checkArgument(shape.elementCount() * dtype.byteSize() == bytes.length,
        "%s bytes for %s tensor of shape %s (expected %s)", bytes.length, dtype, shape,
        shape.elementCount() * dtype.byteSize());
    this.bytes = bytes;
  }

  /** A tensor holding a copy of {@code littleEndianBytes}. */
  public static HeapTensor ofBytes(DType dtype, Shape shape, byte[] littleEndianBytes) {
    return new HeapTensor(dtype, shape, littleEndianBytes.clone());
  }

  /** An F32 tensor holding {@code values}. */
  public static HeapTensor ofFloats(Shape shape, float[] values) {
    return ofFloats(DType.F32, shape, values);
  }

  /** A tensor of float type {@code dtype} holding {@code values} rounded once to it. */
  public static HeapTensor ofFloats(DType dtype, Shape shape, float[] values) {
    checkArgument(values.length == shape.elementCount(), "%s values for shape %s", values.length, shape);
    ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    FloatCodec.encode(dtype, values, 0, values.length, b);
    return new HeapTensor(dtype, shape, b.array());
  }

  /** An I64 tensor holding {@code values}. */
  public static HeapTensor ofLongs(Shape shape, long[] values) {
    checkArgument(values.length == shape.elementCount(), "%s values for shape %s", values.length, shape);
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return new HeapTensor(DType.I64, shape, b.array());
  }

  /** Reads any tensor fully into heap. */
  public static HeapTensor copyOf(Tensor t) throws java.io.IOException {
    if (t instanceof HeapTensor h) {
      return h;
    }
    long size = t.byteSize();
    checkArgument(size <= Integer.MAX_VALUE - 8, "tensor of %s bytes does not fit in heap array", size);
    ByteBuffer b = ByteBuffer.allocate((int) size);
    t.read(0, b);
    return new HeapTensor(t.dtype(), t.shape(), b.array());
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    int n = dst.remaining();
    Objects.checkFromIndexSize(offset, n, bytes.length);
    dst.put(bytes, (int) offset, n);
  }

  @Override
  public String toString() {
    return "HeapTensor[" + dtype + " " + shape + "]";
  }
}

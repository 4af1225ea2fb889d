package org.ffnfuse.formats.onnx;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A tensor over a read-only buffer without copying it, such as a {@code raw_data} field; when the model was parsed
 * from a memory-mapped file, the buffer is a slice of that mapping.
 */
final class ByteBufferTensor implements Tensor {
  private final DType dtype;
  private final Shape shape;
  private final ByteBuffer bytes;

  ByteBufferTensor(DType dtype, Shape shape, ByteBuffer bytes) {
    this.dtype = Objects.requireNonNull(dtype);
    this.shape = Objects.requireNonNull(shape);
    this.bytes = bytes.slice().asReadOnlyBuffer();
    checkArgument(shape.elementCount() * dtype.byteSize() == this.bytes.remaining(),
        "%s bytes for %s tensor of shape %s", this.bytes.remaining(), dtype, shape);
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
  public long byteSize() {
    return bytes.capacity();
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    int n = dst.remaining();
    Objects.checkFromIndexSize(offset, n, bytes.capacity());
    dst.put(dst.position(), bytes, (int) offset, n);
    dst.position(dst.position() + n);
  }

  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    ByteBuffer b = bytes.duplicate();
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  @Override
  public String toString() {
    return "ByteBufferTensor[" + dtype + " " + shape + "]";
  }
}

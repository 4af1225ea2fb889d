package org.ffnfuse.converters.export.families;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/** Zero-copy views of a tensor's bytes: a contiguous row range, or the same bytes under another shape. */
final class TensorViews {
  private TensorViews() {}

  /** Rows {@code [from, to)} of the first dimension (any rank): a contiguous byte range, no copy. */
  static Tensor rows(Tensor src, long from, long to) {
    long rows = src.shape().dim(0);
    checkArgument(0 <= from && from <= to && to <= rows, "rows [%s, %s) of %s", from, to, src.shape());
    long[] dims = src.shape().toArray();
    long rowBytes = src.byteSize() / Math.max(1, rows);
    dims[0] = to - from;
    return new ByteRange(src, from * rowBytes, Shape.of(dims));
  }

  /** The same bytes with another shape of equal element count. */
  static Tensor reshaped(Tensor src, Shape shape) {
    checkArgument(shape.elementCount() == src.shape().elementCount(), "cannot view %s as %s", src.shape(), shape);
    return new ByteRange(src, 0, shape);
  }

  private static final class ByteRange implements Tensor {
    private final Tensor src;
    private final long offset;
    private final Shape shape;

    ByteRange(Tensor src, long offset, Shape shape) {
      this.src = src;
      this.offset = offset;
      this.shape = shape;
    }

    @Override
    public DType dtype() {
      return src.dtype();
    }

    @Override
    public Shape shape() {
      return shape;
    }

    @Override
    public void read(long at, ByteBuffer dst) throws IOException {
      Objects.checkFromIndexSize(at, dst.remaining(), byteSize());
      src.read(offset + at, dst);
    }

    @Override
    public String toString() {
      return "view" + shape + " of " + src;
    }
  }
}

package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A float tensor computed row block by row block when read, never held whole: the base of the lazy conversions,
 * transposes and concatenations in {@link Tensors}. A "row" is the last dimension; rank-1 tensors are one row.
 *
 * <p>Values are computed in fp32 and rounded once to {@link #dtype()}. Sequential chunked reads reuse the last
 * computed block, so streaming a tensor computes each row once.
 */
public abstract class RowBlockTensor implements Tensor {
  private final DType dtype;
  private final Shape shape;
  private final long rows;
  private final int cols;
  private final int rowBytes;
  private final int blockRows;

  private long cachedFirstRow = -1;
  private ByteBuffer cached;

  protected RowBlockTensor(DType dtype, Shape shape) {
    this(dtype, shape, CHUNK_BYTES);
  }

  /**
   * A tensor computed in blocks of about {@code blockBytes} of output (at least one row): larger blocks for
   * computations whose cost per block does not shrink with its height, such as a transpose reading a segment of every
   * input row per block.
   */
  protected RowBlockTensor(DType dtype, Shape shape, int blockBytes) {
    checkArgument(blockBytes > 0, "blockBytes must be positive, got %s", blockBytes);
    checkArgument(dtype.convertsToFloat(), "computed tensors are float-typed, not %s", dtype);
    this.dtype = dtype;
    this.shape = Objects.requireNonNull(shape);
    long c = shape.rank() == 0 ? 1 : shape.dim(-1);
    checkArgument(c * dtype.byteSize() <= CHUNK_BYTES * 64L, "rows of %s elements are too long", c);
    this.cols = (int) c;
    this.rows = c == 0 ? 0 : shape.elementCount() / c;
    this.rowBytes = cols * dtype.byteSize();
    this.blockRows = (int) Math.max(1, Math.min(rows, blockBytes / Math.max(1, rowBytes)));
  }

  @Override
  public final DType dtype() {
    return dtype;
  }

  @Override
  public final Shape shape() {
    return shape;
  }

  /** Rows (product of all dimensions but the last). */
  protected final long rows() {
    return rows;
  }

  /** Elements per row (the last dimension). */
  protected final int cols() {
    return cols;
  }

  /** Bytes of output computed per block (whole rows). */
  final int blockBytes() {
    return blockRows * rowBytes;
  }

  /** Computes rows {@code [firstRow, firstRow + n)} in fp32 into {@code out} (row-major, length n × cols). */
  protected abstract void computeRows(long firstRow, int n, float[] out) throws IOException;

  @Override
  public final synchronized void read(long offset, ByteBuffer dst) throws IOException {
    Objects.checkFromIndexSize(offset, dst.remaining(), byteSize());
    while (dst.hasRemaining()) {
      long row = offset / rowBytes;
      long blockStart = row - row % blockRows;
      ByteBuffer block = block(blockStart);
      int at = (int) (offset - blockStart * rowBytes);
      int n = Math.min(dst.remaining(), block.limit() - at);
      dst.put(dst.position(), block, at, n);
      dst.position(dst.position() + n);
      offset += n;
    }
  }

  @Override
  public final void writeTo(WritableByteChannel out) throws IOException {
    float[] values = new float[blockRows * cols];
    // Direct: the channel writes it without another copy through a temporary direct buffer.
    ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, blockRows * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
    for (long r = 0; r < rows; r += blockRows) {
      int n = (int) Math.min(blockRows, rows - r);
      computeRows(r, n, values);
      buf.clear();
      FloatCodec.encode(dtype, values, 0, n * cols, buf);
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
    }
  }

  private ByteBuffer block(long firstRow) throws IOException {
    if (firstRow != cachedFirstRow) {
      int n = (int) Math.min(blockRows, rows - firstRow);
      float[] values = new float[n * cols];
      computeRows(firstRow, n, values);
      ByteBuffer b = ByteBuffer.allocate(n * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
      FloatCodec.encode(dtype, values, 0, values.length, b);
      cached = b.flip();
      cachedFirstRow = firstRow;
    }
    return cached;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + dtype + " " + shape + "]";
  }
}

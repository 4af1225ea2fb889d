package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/** A tensor whose bytes are the range {@code [offset, offset + byteSize)} of a {@link MappedFile}. */
public final class MappedTensor implements Tensor {
  private final MappedFile file;
  private final long offset;
  private final DType dtype;
  private final Shape shape;
  private final long byteSize;

  /**
   * @throws IllegalArgumentException if the range does not lie inside the file (callers parsing untrusted headers
   *     check this first and throw a {@code ModelFormatException})
   */
  public MappedTensor(MappedFile file, long offset, DType dtype, Shape shape) {
    this.file = Objects.requireNonNull(file);
    this.offset = offset;
    this.dtype = Objects.requireNonNull(dtype);
    this.shape = Objects.requireNonNull(shape);
    this.byteSize = Tensor.super.byteSize();
    checkArgument(offset >= 0 && offset + byteSize <= file.size(),
        "range [%s, %s) outside %s of %s bytes", offset, offset + byteSize, file.path(), file.size());
  }

  public MappedFile file() {
    return file;
  }

  /** Absolute file offset of the first byte. */
  public long offset() {
    return offset;
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
    return byteSize;
  }

  @Override
  public void read(long at, ByteBuffer dst) throws IOException {
    Objects.checkFromIndexSize(at, dst.remaining(), byteSize);
    file.read(offset + at, dst);
  }

  /** Zero-copy where the OS allows ({@code FileChannel.transferTo}). */
  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    file.transferTo(offset, byteSize, out);
  }

  @Override
  public String toString() {
    return "MappedTensor[" + dtype + " " + shape + " @" + offset + " in " + file.path().getFileName() + "]";
  }
}

package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-only file: {@link #read} copies with positional reads, {@link #slice} maps windows of {@link #WINDOW_BYTES}
 * (Java 17 maps at most 2 GiB per buffer) on first use, shared by all views of the file; the OS pages them in lazily,
 * so a file larger than RAM can be read either way.
 *
 * <p>{@link #close()} is idempotent; any read after it throws {@link IllegalStateException}.
 */
public final class MappedFile implements AutoCloseable {
  /** Window size: 1 GiB; a read spanning two windows is served from both. */
  public static final long WINDOW_BYTES = 1L << 30;
  /** Largest single positional read into a heap buffer. */
  private static final int READ_CHUNK_BYTES = 4 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final long windowBytes;
  private final ConcurrentHashMap<Long, MappedByteBuffer> windows = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private MappedFile(Path path, FileChannel channel, long size, long windowBytes) {
    this.path = path;
    this.channel = channel;
    this.size = size;
    this.windowBytes = windowBytes;
  }

  /** Opens {@code path} for reading. */
  public static MappedFile open(Path path) throws IOException {
    return open(path, WINDOW_BYTES);
  }

  /** Opens with a custom window size; tests use small windows to exercise reads across window boundaries. */
  static MappedFile open(Path path, long windowBytes) throws IOException {
    com.google.common.base.Preconditions.checkArgument(windowBytes > 0 && windowBytes <= Integer.MAX_VALUE);
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new MappedFile(path, ch, ch.size(), windowBytes);
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** File size in bytes. */
  public long size() {
    return size;
  }

  /**
   * Copies bytes from file offset {@code offset} into {@code dst} up to its limit.
   *
   * <p>Served by positional reads ({@code pread}), not from the mapping: pages copied out of the page cache do not
   * stay in this process's resident set, so streaming a checkpoint larger than RAM through {@code read} keeps the
   * resident set at the size of the caller's buffers instead of growing with every mapped page touched.
   *
   * @throws java.io.EOFException if the file shrank since it was opened
   */
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkState(!closed, "%s was closed", path);
    Objects.checkFromIndexSize(offset, dst.remaining(), size);
    int limit = dst.limit();
    try {
      while (dst.hasRemaining()) {
        // A heap buffer is read through a temporary direct buffer of the same size: bound it.
        if (!dst.isDirect()) {
          dst.limit((int) Math.min(limit, (long) dst.position() + READ_CHUNK_BYTES));
        }
        int n = channel.read(dst, offset);
        if (n < 0) {
          throw new java.io.EOFException(path + ": end of file at offset " + offset + ", but it was " + size
              + " bytes when opened; the file was truncated while in use");
        }
        offset += n;
        dst.limit(limit);
      }
    } finally {
      dst.limit(limit);
    }
  }

  /**
   * A little-endian read-only buffer over {@code [offset, offset+length)}, sharing the mapping (no copy). The range
   * must lie within one window; use {@link #read} otherwise.
   */
  public ByteBuffer slice(long offset, int length) throws IOException {
    checkState(!closed, "%s was closed", path);
    Objects.checkFromIndexSize(offset, length, size);
    long w = offset / windowBytes;
    int at = (int) (offset - w * windowBytes);
    ByteBuffer win = window(w);
    if (at + (long) length > win.capacity()) {
      ByteBuffer copy = ByteBuffer.allocate(length);
      read(offset, copy);
      return copy.flip().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    return win.slice(at, length).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Sends {@code [offset, offset+length)} to {@code out} without copying through heap where the OS allows. */
  public void transferTo(long offset, long length, WritableByteChannel out) throws IOException {
    checkState(!closed, "%s was closed", path);
    Objects.checkFromIndexSize(offset, length, size);
    long done = 0;
    while (done < length) {
      long n = channel.transferTo(offset + done, length - done, out);
      if (n <= 0) {
        throw new IOException(path + ": transfer stalled at offset " + (offset + done));
      }
      done += n;
    }
  }

  private ByteBuffer window(long w) throws IOException {
    MappedByteBuffer b = windows.get(w);
    if (b == null) {
      long start = w * windowBytes;
      // Windows overlap nothing; a read that crosses a boundary is split by read().
      long len = Math.min(windowBytes, size - start);
      b = channel.map(FileChannel.MapMode.READ_ONLY, start, len);
      MappedByteBuffer prev = windows.putIfAbsent(w, b);
      if (prev != null) {
        b = prev;
      }
    }
    return b.duplicate();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    windows.clear();
    channel.close();
  }
}

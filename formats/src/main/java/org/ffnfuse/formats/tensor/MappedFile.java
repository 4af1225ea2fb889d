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
 * A read-only file mapped into memory in windows of {@link #WINDOW_BYTES} (Java 17 maps at most 2 GiB per buffer).
 * Windows are mapped on first use and shared by all views of the file; the OS pages them in lazily, so a file larger
 * than RAM can be read.
 *
 * <p>{@link #close()} is idempotent; any read after it throws {@link IllegalStateException}.
 */
public final class MappedFile implements AutoCloseable {
  /** Window size: 1 GiB; a read spanning two windows is served from both. */
  public static final long WINDOW_BYTES = 1L << 30;

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

  /** Copies bytes from file offset {@code offset} into {@code dst} up to its limit. */
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkState(!closed, "%s was closed", path);
    Objects.checkFromIndexSize(offset, dst.remaining(), size);
    while (dst.hasRemaining()) {
      long w = offset / windowBytes;
      ByteBuffer win = window(w);
      int at = (int) (offset - w * windowBytes);
      int n = Math.min(dst.remaining(), win.capacity() - at);
      dst.put(dst.position(), win, at, n);
      dst.position(dst.position() + n);
      offset += n;
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

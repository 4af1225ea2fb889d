package org.ffnfuse.formats.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * Computes the SHA-256 of a file while another thread is still appending to it, reading behind the writer on its own
 * thread: on two cores the hash costs no wall time. The writer must append only (write sequentially, never go back),
 * which every writer in this project does; {@link Manifest#verify} would catch one that did not.
 */
final class TailHasher {
  private static final int BUFFER_BYTES = 1 << 20;
  private static final long IDLE_NANOS = 1_000_000;

  private final Path file;
  private final Future<String> result;
  private volatile boolean complete;

  TailHasher(Path file, ExecutorService pool) {
    this.file = file;
    this.result = pool.submit(this::run);
  }

  /** Called by the writer once every byte is written: the hash ends at the size the file has now. */
  void complete() {
    complete = true;
  }

  /** Stops hashing (the write failed). */
  void cancel() {
    complete = true;
    result.cancel(true);
  }

  /** The lowercase hex SHA-256, waiting for the hasher to catch up. */
  String sha256() throws IOException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(file + ": hashing failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing " + file);
    } catch (CancellationException e) {
      throw new IOException(file + ": hashing was cancelled", e);
    }
  }

  private String run() throws IOException, NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long at = 0;
      while (true) {
        boolean last = complete; // read before the size: once complete, the size is final
        long size = ch.size();
        if (at < size) {
          buf.clear().limit((int) Math.min(BUFFER_BYTES, size - at));
          int n = ch.read(buf, at);
          if (n <= 0) {
            throw new IOException(file + ": could not read at offset " + at + " while hashing");
          }
          md.update(buf.flip());
          at += n;
        } else if (last) {
          return HexFormat.of().formatHex(md.digest());
        } else if (Thread.interrupted()) {
          throw new InterruptedIOException("hashing " + file + " was interrupted");
        } else {
          LockSupport.parkNanos(IDLE_NANOS);
        }
      }
    }
  }
}

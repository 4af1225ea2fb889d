package org.ffnfuse.formats.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a set of files as one unit: each under a temporary name in its target's folder ({@code .NAME.tmp-RANDOM}),
 * all flushed to disk once all are written, then all renamed atomically in order (so an index or model file listed last
 * appears only after the files it refers to). On any failure before the renames every temporary file is deleted
 * (failures to delete are added as suppressed) and no target is touched. A reader sees either the old files or the
 * complete new ones, never a partial file.
 *
 * <p>A full disk, a read-only or otherwise unwritable destination fail with a {@link FileSystemException} naming the
 * target (the output file or folder, not the temporary name) and the system's reason. A process killed mid-write
 * leaves only temporary names ({@link #isTemporary}), which readers and later writes ignore. A target that is a
 * special file (a device such as {@code /dev/null}, a FIFO, a socket) is refused before anything is written
 * ({@link OutputGuard#requireNotSpecial}): the rename would replace it by a regular file.
 */
public final class AtomicFiles {
  /** Produces one file's bytes. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** One file to write. */
  public record Job(Path target, Content content) {}

  private AtomicFiles() {}

  /** Writes every job; returns the targets in order. */
  public static List<Path> write(List<Job> jobs) throws IOException {
    return write(jobs, null, () -> {});
  }

  /**
   * Like {@link #write(List)}, and hashes every file with SHA-256 on a second thread while it is written (reading
   * behind the writer), so that a manifest costs little extra time. Contents must write sequentially.
   *
   * @return target → lowercase hex SHA-256, in job order
   */
  public static Map<Path, String> writeHashed(List<Job> jobs) throws IOException {
    return writeHashed(jobs, () -> {});
  }

  /** A step run after every file is written, before the first rename. */
  @FunctionalInterface
  public interface BeforeRename {
    void run() throws IOException;
  }

  /**
   * {@link #writeHashed(List)}, running {@code beforeRename} once every file is complete and hashed, just before the
   * renames (e.g. to delete a manifest that the new files will invalidate).
   */
  public static Map<Path, String> writeHashed(List<Job> jobs, BeforeRename beforeRename) throws IOException {
    Map<Path, String> hashes = new LinkedHashMap<>();
    write(jobs, hashes, beforeRename);
    return hashes;
  }

  private static List<Path> write(List<Job> jobs, Map<Path, String> hashesOut, BeforeRename beforeRename)
      throws IOException {
    List<Path> temps = new ArrayList<>();
    List<TailHasher> hashers = new ArrayList<>();
    // Two hashers: a file's hash may still be catching up when the next file starts (SHA-256 runs at about 1 GB/s
    // per core, slower than the kernel copies untouched tensors), and the last files' hashes then finish in parallel.
    int threads = Math.max(1, Math.min(2, jobs.size()));
    ExecutorService pool = hashesOut == null ? null : Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "sha256");
      t.setDaemon(true);
      return t;
    });
    for (Job j : jobs) {
      OutputGuard.requireNotSpecial(j.target());
    }
    int renamed = 0;
    try {
      for (Job j : jobs) {
        Path dir = j.target().toAbsolutePath().getParent();
        try {
          Files.createDirectories(dir);
        } catch (FileSystemException e) {
          throw named(j.target(), "cannot create its folder " + dir, e);
        }
        FileChannel channel;
        try {
          channel = createTemp(dir, j.target().getFileName().toString(), temps);
        } catch (FileSystemException e) {
          throw named(j.target(), "cannot create a file in " + dir, e);
        }
        if (pool != null) {
          hashers.add(new TailHasher(temps.get(temps.size() - 1), pool));
        }
        try (FileChannel ch = channel) {
          j.content().writeTo(ch);
          if (pool != null) {
            hashers.get(hashers.size() - 1).complete();
          }
        } catch (IOException e) {
          if (isNoSpace(e)) {
            throw named(j.target(), "no space left on device (the disk filled up while writing it; the temporary"
                + " file was deleted): free space or choose another output", e);
          }
          throw e;
        }
      }
      // Flush to disk only now: the kernel writes the earlier files back while later ones are produced, instead of
      // every file's fsync stalling the next one.
      for (int i = 0; i < jobs.size(); i++) {
        try (FileChannel ch = FileChannel.open(temps.get(i), StandardOpenOption.WRITE)) {
          ch.force(true);
        } catch (IOException e) {
          if (isNoSpace(e)) {
            throw named(jobs.get(i).target(), "no space left on device (reported when flushing it to disk; the"
                + " temporary file was deleted): free space or choose another output", e);
          }
          throw e;
        }
      }
      for (int i = 0; i < hashers.size(); i++) {
        hashesOut.put(jobs.get(i).target(), hashers.get(i).sha256());
      }
      beforeRename.run();
      List<Path> out = new ArrayList<>();
      for (Job j : jobs) {
        Files.move(temps.get(renamed), j.target(), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        renamed++;
        out.add(j.target());
      }
      return out;
    } catch (IOException | RuntimeException | Error e) {
      hashers.forEach(TailHasher::cancel);
      for (int i = renamed; i < temps.size(); i++) {
        try {
          Files.deleteIfExists(temps.get(i));
        } catch (IOException c) {
          e.addSuppressed(c);
        }
      }
      throw e;
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** Writes one file through an {@link OutputStream}. */
  public static void write(Path target, StreamContent content) throws IOException {
    write(List.of(new Job(target, ch -> {
      OutputStream out = Channels.newOutputStream(ch);
      content.writeTo(out);
      out.flush();
    })));
  }

  /** Writes one UTF-8 text file. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Fills a folder with files. */
  @FunctionalInterface
  public interface FolderContent {
    void writeInto(Path folder) throws IOException;
  }

  /**
   * Writes a whole output folder: {@code content} fills a temporary sibling folder ({@code .NAME.tmp-RANDOM}), which
   * is renamed to {@code target} only when complete. On failure the temporary folder is deleted. {@code target} must
   * not exist yet, or be an empty folder.
   *
   * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists and is not an empty folder
   */
  public static void writeFolder(Path target, FolderContent content) throws IOException {
    OutputGuard.requireNotSpecial(target);
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs) && !(Files.isDirectory(abs) && isEmpty(abs))) {
      throw new FileAlreadyExistsException(abs.toString(), null,
          "output exists and is not an empty folder; choose another output or delete it first");
    }
    Path tmp = null;
    try {
      Files.createDirectories(abs.getParent());
      for (int attempt = 0; tmp == null; attempt++) {
        byte[] r = new byte[6];
        ThreadLocalRandom.current().nextBytes(r);
        Path candidate = abs.resolveSibling(tempPrefix(abs.getFileName().toString()) + HexFormat.of().formatHex(r));
        try {
          tmp = Files.createDirectory(candidate);
        } catch (FileAlreadyExistsException e) {
          if (attempt >= 10) {
            throw e;
          }
        }
      }
    } catch (FileSystemException e) {
      throw named(abs, "cannot create the output folder in " + abs.getParent(), e);
    }
    try {
      content.writeInto(tmp);
      if (Files.isDirectory(abs)) {
        Files.delete(abs); // the empty folder we were allowed to replace
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      Throwable thrown = e;
      if (e instanceof IOException io && isNoSpace(io)) {
        String inside = e instanceof FileSystemException fs && fs.getFile() != null ? " (writing "
            + tmp.relativize(Path.of(fs.getFile()).toAbsolutePath()) + ")" : "";
        thrown = named(abs, "no space left on device" + inside + "; the partial output folder was deleted: free"
            + " space or choose another output", io);
      }
      try {
        deleteTree(tmp);
      } catch (IOException c) {
        thrown.addSuppressed(c);
      }
      if (thrown instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }

  /**
   * Whether {@code e} (or a cause) reports a full disk or exhausted quota ({@code ENOSPC}, {@code EDQUOT}); the JDK
   * reports these only through the message.
   */
  public static boolean isNoSpace(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }

  /** A {@link FileSystemException} naming {@code file}, saying {@code what} and why ({@code cause}'s reason). */
  private static FileSystemException named(Path file, String what, IOException cause) {
    String why = cause instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
        : cause.getMessage();
    boolean said = why == null || what.toLowerCase(java.util.Locale.ROOT).contains(why.toLowerCase(
        java.util.Locale.ROOT)) || (cause instanceof FileSystemException && isNoSpace(cause)
        && what.startsWith("no space left on device"));
    FileSystemException e = new FileSystemException(file.toString(), null, what + (said ? "" : ": " + why));
    e.initCause(cause);
    return e;
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /** Deletes a folder and everything below it (no links followed). */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Produces one file's bytes as a stream (not closed by the callee). */
  @FunctionalInterface
  public interface StreamContent {
    void writeTo(OutputStream out) throws IOException;
  }

  /** The temporary name prefix for {@code fileName}: {@code .fileName.tmp-}; cleanup tools match on it. */
  public static String tempPrefix(String fileName) {
    return "." + fileName + ".tmp-";
  }

  /** Whether {@code fileName} is one of our temporary names. */
  public static boolean isTemporary(String fileName) {
    return fileName.startsWith(".") && fileName.contains(".tmp-");
  }

  private static FileChannel createTemp(Path dir, String name, List<Path> created) throws IOException {
    for (int attempt = 0; ; attempt++) {
      byte[] r = new byte[6];
      ThreadLocalRandom.current().nextBytes(r);
      Path tmp = dir.resolve(tempPrefix(name) + HexFormat.of().formatHex(r));
      try {
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        created.add(tmp);
        return ch;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }
}

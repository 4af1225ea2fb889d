package org.ffnfuse.formats.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Refuses, before any work, outputs that would destroy an input: an output that is an input file (compared by real
 * path, so through symbolic links, and by file key, so through hard links), lies inside an input folder, or is or
 * holds an input. Also refuses outputs that are special files (devices, FIFOs, sockets), which an atomic rename would
 * replace by a regular file.
 *
 * <p>A command lists every path it reads (an ONNX model together with its external data files) and every path it
 * writes (an ONNX model together with its data file and manifest), then calls {@link #check()}:
 *
 * <pre>{@code
 * OutputGuard.create().input(model).input(text).output(out).output(data, "external data of " + out).check();
 * }</pre>
 *
 * <p>Inputs that do not exist are skipped (the command reports them when it opens them).
 */
public final class OutputGuard {
  /** A path a command reads: a file, or a folder and everything below it; {@code note} says what it is, or empty. */
  public record Input(Path path, String note) {
    public Input {
      checkNotNull(path);
      checkNotNull(note);
    }
  }

  /** A path a command writes (a file or a folder); {@code note} says what it is, or empty. */
  public record Output(Path path, String note) {
    public Output {
      checkNotNull(path);
      checkNotNull(note);
    }
  }

  private final List<Input> inputs = new ArrayList<>();
  private final List<Output> outputs = new ArrayList<>();

  private OutputGuard() {}

  /** An empty guard. */
  public static OutputGuard create() {
    return new OutputGuard();
  }

  /** Adds an input file or folder. */
  public OutputGuard input(Path path) {
    return input(new Input(path, ""));
  }

  /** Adds an input file or folder if present (an optional argument that was given). */
  public OutputGuard input(Optional<Path> path) {
    path.ifPresent(this::input);
    return this;
  }

  /** Adds an input. */
  public OutputGuard input(Input in) {
    inputs.add(checkNotNull(in));
    return this;
  }

  /** Adds inputs. */
  public OutputGuard inputs(List<Input> in) {
    in.forEach(this::input);
    return this;
  }

  /** Adds an output file or folder. */
  public OutputGuard output(Path path) {
    return output(new Output(path, ""));
  }

  /** Adds an output. */
  public OutputGuard output(Output out) {
    outputs.add(checkNotNull(out));
    return this;
  }

  /** Adds outputs. */
  public OutputGuard outputs(List<Output> out) {
    out.forEach(this::output);
    return this;
  }

  /**
   * Checks every output against every input.
   *
   * @throws IllegalArgumentException naming both paths if an output is, is inside, or holds an input, or is a special
   *     file
   * @throws IOException if a path cannot be resolved or an input folder cannot be listed
   */
  public void check() throws IOException {
    List<Resolved> ins = new ArrayList<>();
    for (Input in : inputs) {
      resolve(in).ifPresent(ins::add);
    }
    for (Output out : outputs) {
      requireNotSpecial(out.path());
      Path real = realPathOf(out.path());
      Object key = fileKey(out.path());
      for (Resolved in : ins) {
        conflict(out, real, key, in).ifPresent(why -> {
          throw new IllegalArgumentException(why);
        });
      }
    }
  }

  /**
   * Refuses {@code output} if it is a special file (character or block device, FIFO, socket), through links: writing
   * it under a temporary name and renaming that into place would replace the special file by a regular one.
   *
   * @throws IllegalArgumentException naming the path and its kind
   */
  public static void requireNotSpecial(Path output) throws IOException {
    Optional<SpecialFile> kind = SpecialFile.of(output);
    if (kind.isPresent()) {
      throw new IllegalArgumentException(output + ": output is " + kind.get().description() + ", not a regular file;"
          + " ffnfuse writes outputs under a temporary name and renames them into place, which would replace it:"
          + " choose a regular file path");
    }
  }

  /** An input, resolved: its real path, and for each file it holds (itself, or every file below a folder) its key. */
  private record Resolved(Input input, Path real, boolean folder, Map<Object, Path> files) {}

  private static Optional<Resolved> resolve(Input in) throws IOException {
    if (!Files.exists(in.path())) {
      return Optional.empty();
    }
    Path real = in.path().toRealPath();
    Map<Object, Path> files = new LinkedHashMap<>();
    boolean folder = Files.isDirectory(real);
    if (folder) {
      try (Stream<Path> s = Files.walk(real)) {
        for (Path p : s.toList()) {
          addKey(files, p, in.path().resolve(real.relativize(p)));
        }
      }
    } else {
      addKey(files, real, in.path());
    }
    return Optional.of(new Resolved(in, real, folder, files));
  }

  private static void addKey(Map<Object, Path> files, Path p, Path shown) throws IOException {
    Object key = fileKey(p);
    if (key != null && Files.isRegularFile(p)) {
      files.putIfAbsent(key, shown);
    }
  }

  /** The file key (device and inode on Unix) of an existing path, through links; null if none or absent. */
  private static Object fileKey(Path p) throws IOException {
    if (!Files.exists(p)) {
      return null;
    }
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  /** The real path of {@code p}, or of its nearest existing folder with the rest of {@code p} appended. */
  static Path realPathOf(Path p) throws IOException {
    Path abs = p.toAbsolutePath().normalize();
    if (Files.exists(abs)) {
      return abs.toRealPath();
    }
    Path existing = abs;
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing.toRealPath().resolve(existing.relativize(abs));
  }

  private static Optional<String> conflict(Output out, Path real, Object key, Resolved in) {
    String o = "output " + out.path() + note(out.note());
    String i = "the input " + in.input().path() + note(in.input().note());
    if (real.equals(in.real()) || (key != null && in.files().containsKey(key))) {
      Path file = real.equals(in.real()) ? in.input().path() : in.files().get(key);
      String what = file.equals(in.input().path()) ? i : file + " of " + i;
      return Optional.of(o + " would overwrite " + what + (in.folder() && file.equals(in.input().path())
          ? " (the same folder)" : " (the same file)") + ": ffnfuse never writes over its inputs; choose another"
          + " output");
    }
    if (in.folder() && real.startsWith(in.real())) {
      return Optional.of(o + " is inside the input folder " + in.input().path() + note(in.input().note())
          + ": ffnfuse never writes into its inputs; choose an output outside it");
    }
    if (in.real().startsWith(real)) {
      return Optional.of(o + " holds " + i + ": ffnfuse never writes over its inputs; choose an output that does not"
          + " contain it");
    }
    return Optional.empty();
  }

  private static String note(String note) {
    return note.isEmpty() ? "" : " (" + note + ")";
  }

  /** The kinds of special file an output must not be. */
  enum SpecialFile {
    FIFO(0010000, "a FIFO (named pipe)"),
    CHARACTER_DEVICE(0020000, "a character device"),
    BLOCK_DEVICE(0060000, "a block device"),
    SOCKET(0140000, "a socket"),
    OTHER(-1, "a special file");

    private static final int S_IFMT = 0170000;
    private final int type;
    private final String description;

    SpecialFile(int type, String description) {
      this.type = type;
      this.description = description;
    }

    String description() {
      return description;
    }

    /** The kind of {@code p} (through links) if it exists and is special; empty for files, folders, absent paths. */
    static Optional<SpecialFile> of(Path p) throws IOException {
      if (!Files.exists(p) || !Files.readAttributes(p, BasicFileAttributes.class).isOther()) {
        return Optional.empty();
      }
      try {
        int mode = (Integer) Files.getAttribute(p, "unix:mode") & S_IFMT;
        for (SpecialFile s : values()) {
          if (mode == s.type) {
            return Optional.of(s);
          }
        }
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        // No unix:mode view (not a Unix file system): the file is special, of a kind we cannot name.
      }
      return Optional.of(OTHER);
    }
  }
}

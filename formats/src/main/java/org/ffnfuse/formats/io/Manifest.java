package org.ffnfuse.formats.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.ffnfuse.formats.ModelFormatException;

/**
 * A SHA-256 manifest of output files: {@code {"format":"ffnfuse-manifest/1","files":[{"path":..,"size":..,
 * "sha256":..},..]}}, paths relative to the manifest's folder. Outputs carry one so that a truncated, corrupted or
 * swapped file is caught before it is used: a checkpoint folder has {@value #FILE_NAME} (written last, inside the
 * folder), an ONNX model {@code model.onnx.manifest.json} beside it (see {@link #fileFor}).
 *
 * <p>{@link #verify} checks sizes first (cheap, catches truncation), then hashes; a file whose hash is another listed
 * file's is reported as swapped with it.
 */
public final class Manifest {
  /** The manifest's name inside a checkpoint folder. */
  public static final String FILE_NAME = "ffnfuse-manifest.json";
  /** The value of the {@code format} field. */
  public static final String FORMAT = "ffnfuse-manifest/1";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final int HASH_BUFFER_BYTES = 1 << 20;
  /** Largest manifest read; a manifest lists a few hundred files at most. */
  private static final long MAX_BYTES = 16 << 20;

  private Manifest() {}

  /**
   * One listed file.
   *
   * @param path relative to the manifest's folder, with {@code /} separators
   * @param size bytes
   * @param sha256 lowercase hex
   */
  public record Entry(String path, long size, String sha256) {}

  /**
   * Where the manifest of {@code output} lives: {@code output/}{@value #FILE_NAME} for a folder, else
   * {@code NAME.manifest.json} beside the file.
   */
  public static Path fileFor(Path output) {
    return Files.isDirectory(output) ? output.resolve(FILE_NAME)
        : output.resolveSibling(output.getFileName() + ".manifest.json");
  }

  /**
   * Hashes every regular file under {@code folder} (except manifests and temporary names from {@link AtomicFiles}) and
   * writes {@code folder/}{@value #FILE_NAME} atomically. Files are hashed on up to two threads.
   *
   * @return the entries written, sorted by path
   */
  public static List<Entry> writeForFolder(Path folder) throws IOException {
    return writeForFolder(folder, Map.of());
  }

  /**
   * {@link #writeForFolder(Path)}, taking the hashes of files already hashed while they were written (from
   * {@link AtomicFiles#writeHashed}) instead of reading them again.
   *
   * @param known file → lowercase hex SHA-256
   */
  public static List<Entry> writeForFolder(Path folder, Map<Path, String> known) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(folder)) {
      files = s.filter(Files::isRegularFile).filter(p -> !isManifest(p) && !AtomicFiles.isTemporary(
          p.getFileName().toString())).sorted().toList();
    }
    return write(folder.resolve(FILE_NAME), files, known);
  }

  /**
   * Hashes {@code files} (each inside the manifest's folder) and writes the manifest {@code manifestFile} atomically.
   *
   * @return the entries written, in the order given
   * @throws IllegalArgumentException if a file is not inside the manifest's folder
   */
  public static List<Entry> write(Path manifestFile, List<Path> files) throws IOException {
    return write(manifestFile, files, Map.of());
  }

  /**
   * {@link #write(Path, List)}, taking the hashes in {@code known} (file → lowercase hex SHA-256, e.g. from
   * {@link AtomicFiles#writeHashed}) instead of reading those files again.
   */
  public static List<Entry> write(Path manifestFile, List<Path> files, Map<Path, String> known) throws IOException {
    Map<Path, String> byAbsolute = new HashMap<>();
    known.forEach((k, v) -> byAbsolute.put(k.toAbsolutePath().normalize(), v));
    Path dir = manifestFile.toAbsolutePath().normalize().getParent();
    List<String> rel = new ArrayList<>();
    for (Path f : files) {
      Path abs = f.toAbsolutePath().normalize();
      checkArgument(abs.startsWith(dir) && !abs.equals(dir), "%s is not inside the manifest's folder %s", f, dir);
      rel.add(dir.relativize(abs).toString().replace('\\', '/'));
    }
    List<Path> toHash = files.stream().filter(f -> !byAbsolute.containsKey(f.toAbsolutePath().normalize())).toList();
    Map<Path, String> computed = new HashMap<>();
    List<String> fresh = hashAll(toHash);
    for (int i = 0; i < toHash.size(); i++) {
      computed.put(toHash.get(i), fresh.get(i));
    }
    List<String> hashes = new ArrayList<>();
    for (Path f : files) {
      String h = byAbsolute.get(f.toAbsolutePath().normalize());
      hashes.add(h != null ? h : computed.get(f));
    }
    List<Entry> entries = new ArrayList<>();
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    ArrayNode arr = root.putArray("files");
    for (int i = 0; i < files.size(); i++) {
      Entry e = new Entry(rel.get(i), Files.size(files.get(i)), hashes.get(i));
      entries.add(e);
      arr.addObject().put("path", e.path()).put("size", e.size()).put("sha256", e.sha256());
    }
    AtomicFiles.writeString(manifestFile, JSON.writeValueAsString(root) + "\n");
    return List.copyOf(entries);
  }

  /**
   * Reads and validates a manifest.
   *
   * @throws ModelFormatException if it is not a manifest: not JSON, wrong {@code format}, a file entry without a
   *     relative path inside the folder, a non-negative size or a 64-digit hex SHA-256, or a path listed twice
   * @throws java.nio.file.NoSuchFileException if there is no manifest
   */
  public static List<Entry> read(Path manifestFile) throws IOException {
    JsonNode root = JsonFiles.read(manifestFile, MAX_BYTES, "a manifest");
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
      throw new ModelFormatException(manifestFile, "not an ffnfuse manifest: expected a JSON object with \"format\": \""
          + FORMAT + "\"");
    }
    JsonNode files = root.get("files");
    if (files == null || !files.isArray()) {
      throw new ModelFormatException(manifestFile, "field 'files' is missing or not an array");
    }
    Path dir = manifestFile.toAbsolutePath().normalize().getParent();
    List<Entry> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      JsonNode f = files.get(i);
      String where = "files[" + i + "]";
      JsonNode p = f.get("path");
      JsonNode size = f.get("size");
      JsonNode sha = f.get("sha256");
      if (p == null || !p.isTextual() || p.textValue().isEmpty()) {
        throw new ModelFormatException(manifestFile, where + ".path must be a non-empty string, got " + p);
      }
      String path = p.textValue();
      checkInside(manifestFile, dir, where, path);
      if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
        throw new ModelFormatException(manifestFile, where + ".size must be a non-negative integer, got " + size);
      }
      if (sha == null || !sha.isTextual() || !sha.textValue().matches("[0-9a-f]{64}")) {
        throw new ModelFormatException(manifestFile, where + ".sha256 must be 64 lowercase hex digits, got " + sha);
      }
      Integer prev = seen.put(path, i);
      if (prev != null) {
        throw new ModelFormatException(manifestFile, where + ".path '" + path + "' is already listed as files["
            + prev + "]");
      }
      out.add(new Entry(path, size.longValue(), sha.textValue()));
    }
    return List.copyOf(out);
  }

  /**
   * Checks every file listed in {@code manifestFile}: present, of the listed size, with the listed SHA-256.
   *
   * @throws ModelFormatException naming the first bad file, expected vs actual size or hash, and the file whose
   *     contents it has if that is another listed file (swapped files)
   */
  public static void verify(Path manifestFile) throws IOException {
    List<Entry> entries = read(manifestFile);
    Path dir = manifestFile.toAbsolutePath().normalize().getParent();
    for (Entry e : entries) {
      Path f = dir.resolve(e.path());
      if (!Files.isRegularFile(f)) {
        throw new ModelFormatException(f, "missing: listed in " + manifestFile.getFileName() + " (" + e.size()
            + " bytes) but not found; the output is incomplete");
      }
      long size = Files.size(f);
      if (size != e.size()) {
        String swapped = entries.stream().filter(o -> o != e && o.size() == size).map(Entry::path).findFirst()
            .map(o -> "; that is the listed size of " + o + " (files swapped?)").orElse(
                size < e.size() ? " (truncated)" : " (appended to or replaced)");
        throw new ModelFormatException(f, "is " + size + " bytes, but " + manifestFile.getFileName() + " lists "
            + e.size() + swapped);
      }
    }
    List<String> hashes = hashAll(entries.stream().map(e -> dir.resolve(e.path())).toList());
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      String actual = hashes.get(i);
      if (!actual.equals(e.sha256())) {
        String swapped = entries.stream().filter(o -> o != e && o.sha256().equals(actual)).map(Entry::path)
            .findFirst().map(o -> "; it holds the contents listed for " + o + " (files swapped?)")
            .orElse("; the file is corrupted or was replaced");
        throw new ModelFormatException(dir.resolve(e.path()), "SHA-256 is " + actual + ", but "
            + manifestFile.getFileName() + " lists " + e.sha256() + swapped);
      }
    }
  }

  /** The lowercase hex SHA-256 of {@code file}. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = sha256();
    ByteBuffer buf = ByteBuffer.allocateDirect(HASH_BUFFER_BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf.clear()) >= 0) {
        md.update(buf.flip());
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static List<String> hashAll(List<Path> files) throws IOException {
    checkNotNull(files);
    if (files.size() <= 1) {
      List<String> out = new ArrayList<>();
      for (Path f : files) {
        out.add(sha256(f));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(2, files.size()), r -> {
      Thread t = new Thread(r, "manifest-sha256");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (Path f : files) {
        futures.add(pool.submit(() -> {
          try {
            return sha256(f);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }));
      }
      List<String> out = new ArrayList<>();
      for (Future<String> fu : futures) {
        out.add(fu.get());
      }
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IOException("hashing failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing");
    } finally {
      pool.shutdownNow();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static boolean isManifest(Path p) {
    String n = p.getFileName().toString();
    return n.equals(FILE_NAME) || n.endsWith(".manifest.json");
  }

  private static void checkInside(Path manifestFile, Path dir, String where, String path)
      throws ModelFormatException {
    try {
      Path rel = Path.of(path);
      Path resolved = dir.resolve(rel).normalize();
      if (rel.isAbsolute() || !resolved.startsWith(dir) || resolved.equals(dir)) {
        throw new ModelFormatException(manifestFile, where + ".path '" + path + "' points outside the folder " + dir);
      }
    } catch (InvalidPathException e) {
      throw new ModelFormatException(manifestFile, where + ".path '" + path + "' is not a valid path: "
          + e.getReason());
    }
  }
}

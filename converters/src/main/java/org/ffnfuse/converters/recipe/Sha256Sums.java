package org.ffnfuse.converters.recipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ffnfuse.formats.io.AtomicFiles;

/**
 * A folder's {@value #FILE_NAME} manifest: the SHA-256 of every regular file below it (except the manifest itself),
 * one {@code <64 hex digits><two spaces><relative path with '/'>} line per file, sorted by path — the format of GNU
 * {@code sha256sum}, so {@code cd folder && sha256sum -c SHA256SUMS} checks it.
 */
public final class Sha256Sums {
  /** The manifest's file name. */
  public static final String FILE_NAME = "SHA256SUMS";

  private Sha256Sums() {}

  /** Relative path → SHA-256 (hex) of every regular file below {@code folder} but the manifest, sorted by path. */
  public static Map<String, String> compute(Path folder) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String rel : files(folder)) {
      out.put(rel, sha256(folder.resolve(rel)));
    }
    return out;
  }

  /** Computes and writes {@code folder/SHA256SUMS} (atomically); returns what it wrote. */
  public static Map<String, String> write(Path folder) throws IOException {
    Map<String, String> sums = compute(folder);
    StringBuilder sb = new StringBuilder();
    sums.forEach((path, hash) -> sb.append(hash).append("  ").append(path).append('\n'));
    AtomicFiles.writeString(folder.resolve(FILE_NAME), sb.toString());
    return sums;
  }

  /**
   * Checks {@code folder} against its manifest: problems found (no manifest, a malformed line, a listed file missing
   * or changed, a file not listed); empty when the folder is complete and intact.
   */
  public static List<String> check(Path folder) throws IOException {
    List<String> problems = new ArrayList<>();
    Path manifest = folder.resolve(FILE_NAME);
    if (!Files.isRegularFile(manifest)) {
      problems.add(folder + ": no " + FILE_NAME + " (the output is incomplete)");
      return problems;
    }
    Map<String, String> listed = new TreeMap<>();
    List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-f]{64}")
          || !line.startsWith("  ", 64) && !line.startsWith(" *", 64)) {
        problems.add(manifest + ": line " + (i + 1) + " is not '<sha256>  <path>'");
        continue;
      }
      listed.put(line.substring(66), line.substring(0, 64));
    }
    List<String> present = files(folder);
    for (Map.Entry<String, String> e : listed.entrySet()) {
      Path f = folder.resolve(e.getKey()).normalize();
      if (!f.startsWith(folder.normalize()) || !Files.isRegularFile(f)) {
        problems.add(folder + ": " + e.getKey() + " is listed in " + FILE_NAME + " but missing");
      } else if (!sha256(f).equals(e.getValue())) {
        problems.add(folder + ": " + e.getKey() + " does not match its SHA-256 in " + FILE_NAME);
      }
    }
    for (String p : present) {
      if (!listed.containsKey(p)) {
        problems.add(folder + ": " + p + " is not listed in " + FILE_NAME);
      }
    }
    return problems;
  }

  /** Relative paths ('/'-separated, sorted) of the regular files below {@code folder}, except the manifest. */
  static List<String> files(Path folder) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String rel = folder.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        if (rel.equals(FILE_NAME)) {
          continue;
        }
        if (rel.contains("\n") || rel.contains("\\")) {
          // sha256sum escapes such names; ours never have them, so refuse rather than write an ambiguous line.
          throw new IllegalArgumentException("file name " + rel + " contains a newline or backslash");
        }
        out.add(rel);
      }
    }
    out.sort(null);
    return out;
  }

  /** SHA-256 of a file, lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}

package org.ffnfuse.converters.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the models under a directory tree: checkpoint folders (a {@code config.json} and at least one
 * {@code *.safetensors} file; the scan does not descend into them, so their own .onnx files are not separate models)
 * and {@code .onnx} files elsewhere. Symbolic links are followed (a link cycle is visited once); hidden entries
 * (names starting with '.', such as unfinished outputs) are skipped. The result is sorted by name, so every run sees
 * the same order.
 */
public final class ZooScanner {
  private ZooScanner() {}

  /**
   * The models under {@code zoo}.
   *
   * @throws IllegalArgumentException if two models would share an output folder, or one's output would lie inside
   *     another's ({@code a.onnx} and {@code a/} both present)
   */
  public static List<ZooModel> scan(Path zoo) throws IOException {
    return scan(zoo, Optional.empty());
  }

  /**
   * The models under {@code zoo}, not looking into {@code exclude} (a batch's own output folder, when it lies inside
   * the zoo: its fused models are not new input).
   */
  public static List<ZooModel> scan(Path zoo, Optional<Path> exclude) throws IOException {
    if (!Files.isDirectory(zoo)) {
      throw new java.nio.file.NotDirectoryException(zoo.toString());
    }
    if (isCheckpoint(zoo)) {
      throw new IllegalArgumentException(zoo + " is itself a checkpoint folder, not a folder of models; run one model"
          + " with 'ffnfuse run', or point batch at the folder above it");
    }
    List<ZooModel> out = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    if (exclude.isPresent() && Files.isDirectory(exclude.get())) {
      seen.add(exclude.get().toRealPath());
    }
    visit(zoo, zoo, seen, out);
    out.sort((a, b) -> a.name().compareTo(b.name()));
    for (int i = 0; i < out.size(); i++) {
      for (int j = i + 1; j < out.size(); j++) {
        String a = out.get(i).name();
        String b = out.get(j).name();
        if (a.equals(b) || b.startsWith(a + "/")) {
          throw new IllegalArgumentException("models " + out.get(i).path() + " and " + out.get(j).path()
              + " would write to the same output folder '" + a + "' (or one inside the other); rename one");
        }
      }
    }
    return out;
  }

  /** Whether {@code dir} is a checkpoint folder: config.json and a *.safetensors file. */
  public static boolean isCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir) || !Files.isRegularFile(dir.resolve("config.json"))) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
    }
  }

  private static void visit(Path root, Path dir, Set<Path> seen, List<ZooModel> out) throws IOException {
    if (!seen.add(dir.toRealPath())) {
      return;
    }
    if (isCheckpoint(dir)) {
      out.add(new ZooModel(dir, name(root, dir), true));
      return;
    }
    List<Path> children;
    try (Stream<Path> s = Files.list(dir)) {
      children = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
    for (Path p : children) {
      if (Files.isDirectory(p)) {
        visit(root, p, seen, out);
      } else if (Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
        String n = name(root, p);
        out.add(new ZooModel(p, n.substring(0, n.length() - ".onnx".length()), false));
      }
    }
  }

  private static String name(Path root, Path p) {
    return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }
}

package org.ffnfuse.formats.safetensors;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A Hugging Face safetensors checkpoint: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}. Tensors are lazy memory-mapped views (see {@link SafetensorsFile}).
 *
 * <p>Sharded checkpoints are validated as a whole when opened: the index must be JSON with a {@code weight_map} whose
 * entries stay inside the folder, every shard it names must exist and be valid, and every tensor it lists must be in
 * its shard. A tensor present in a shard but absent from the index is <em>not</em> an error (transformers ignores it
 * too): it is left out of {@link #names()}, logged as a warning and listed by {@link #unindexedTensors()}. A
 * {@code metadata.total_size} that differs from the sum of the tensors' sizes is logged, not refused, since it is
 * informational and some writers compute it differently.
 *
 * <p>{@link #close()} closes every shard and is idempotent; afterwards every method but {@link #path()} and
 * {@code close()} throws {@link IllegalStateException}.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
  /** File name of an unsharded checkpoint. */
  public static final String SINGLE_FILE = "model.safetensors";
  /** File name of a sharded checkpoint's index. */
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private static final Logger LOG = Logger.getLogger(SafetensorsCheckpoint.class.getName());

  private final Path path;
  private final ImmutableList<SafetensorsFile> shards;
  private final Optional<ShardIndex> index;
  private final ImmutableMap<String, SafetensorsFile> owner;
  private final ImmutableMap<Path, List<String>> unindexed;
  private final long totalBytes;
  private volatile boolean closed;

  private SafetensorsCheckpoint(Path path, List<SafetensorsFile> shards, Optional<ShardIndex> index,
      Map<String, SafetensorsFile> owner, Map<Path, List<String>> unindexed) throws IOException {
    this.path = path;
    this.shards = ImmutableList.copyOf(shards);
    this.index = index;
    this.owner = ImmutableMap.copyOf(owner);
    this.unindexed = ImmutableMap.copyOf(unindexed);
    long total = 0;
    for (var e : owner.entrySet()) {
      total += e.getValue().tensor(e.getKey()).byteSize();
    }
    this.totalBytes = total;
  }

  /**
   * Opens a checkpoint: a {@code .safetensors} file, a {@code model.safetensors.index.json}, or a folder holding either
   * (an unsharded {@code model.safetensors} is preferred when both are present, as transformers does).
   *
   * @throws ModelFormatException if the index or a shard is invalid (see {@link SafetensorsFile#open}), an index entry
   *     points outside the folder, a shard is missing, a listed tensor is absent from its shard, or the folder holds
   *     neither file; the message names the file and the tensor
   * @throws NoSuchFileException if {@code fileOrDir} does not exist
   */
  public static SafetensorsCheckpoint open(Path fileOrDir) throws IOException {
    if (Files.isDirectory(fileOrDir)) {
      if (Files.isRegularFile(fileOrDir.resolve(SINGLE_FILE))) {
        return openSingle(fileOrDir, fileOrDir.resolve(SINGLE_FILE));
      }
      if (Files.isRegularFile(fileOrDir.resolve(INDEX_FILE))) {
        return openSharded(fileOrDir, fileOrDir.resolve(INDEX_FILE));
      }
      List<String> found;
      try (Stream<Path> s = Files.list(fileOrDir)) {
        found = s.map(p -> p.getFileName().toString()).filter(n -> n.contains("safetensors")).sorted().toList();
      }
      throw new ModelFormatException(fileOrDir, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this folder"
          + (found.isEmpty() ? "" : " (safetensors files found: " + found + "; rename the file or pass it directly)"));
    }
    if (!Files.exists(fileOrDir)) {
      throw new NoSuchFileException(fileOrDir.toString(), null, "no such checkpoint file or folder");
    }
    if (fileOrDir.getFileName().toString().endsWith(".index.json")) {
      return openSharded(fileOrDir, fileOrDir);
    }
    return openSingle(fileOrDir, fileOrDir);
  }

  private static SafetensorsCheckpoint openSingle(Path path, Path file) throws IOException {
    SafetensorsFile f = SafetensorsFile.open(file);
    try {
      Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
      f.names().forEach(n -> owner.put(n, f));
      return new SafetensorsCheckpoint(path, List.of(f), Optional.empty(), owner, Map.of());
    } catch (IOException | RuntimeException e) {
      closeAll(List.of(f), e);
      throw e;
    }
  }

  private static SafetensorsCheckpoint openSharded(Path path, Path indexFile) throws IOException {
    ShardIndex idx = ShardIndex.read(indexFile);
    List<SafetensorsFile> shards = new ArrayList<>();
    try {
      Map<Path, SafetensorsFile> byPath = new LinkedHashMap<>();
      for (Path p : new TreeSet<>(idx.shardPaths().values())) {
        if (!Files.isRegularFile(p)) {
          String example = idx.shardPaths().entrySet().stream().filter(e -> e.getValue().equals(p))
              .map(Map.Entry::getKey).findFirst().orElseThrow();
          throw new ModelFormatException(indexFile, "shard " + p.getFileName() + ", listed for tensor '" + example
              + "', does not exist in " + p.getParent() + "; the checkpoint is incomplete (download the missing shard)");
        }
        SafetensorsFile f = SafetensorsFile.open(p);
        shards.add(f);
        byPath.put(p, f);
      }
      for (var e : idx.shardPaths().entrySet()) {
        SafetensorsFile f = byPath.get(e.getValue());
        if (!f.contains(e.getKey())) {
          String elsewhere = shards.stream().filter(s -> s.contains(e.getKey())).map(s -> s.path().getFileName())
              .findFirst().map(n -> " (it is in " + n + ")").orElse("");
          throw new ModelFormatException(indexFile, "tensor '" + e.getKey() + "' is listed in weight_map for shard "
              + e.getValue().getFileName() + ", but that shard has no such tensor" + elsewhere
              + "; the index does not match the shards"
              + (elsewhere.isEmpty() ? "" : " (shard files renamed or swapped?)"));
        }
      }
      Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
      Map<Path, List<String>> unindexed = new LinkedHashMap<>();
      for (SafetensorsFile f : shards) {
        for (String n : f.names()) {
          if (f.path().equals(idx.shardPaths().get(n))) {
            owner.put(n, f);
          } else {
            unindexed.computeIfAbsent(f.path(), k -> new ArrayList<>()).add(n);
          }
        }
      }
      unindexed.replaceAll((k, v) -> List.copyOf(v));
      unindexed.forEach((shard, names) -> LOG.warning(() -> indexFile + ": " + names.size() + " tensor(s) in shard "
          + shard.getFileName() + " are not in weight_map and are ignored, e.g. '" + names.get(0) + "'"));
      SafetensorsCheckpoint c = new SafetensorsCheckpoint(path, shards, Optional.of(idx), owner, unindexed);
      idx.totalSize().ifPresent(ts -> {
        if (ts != c.totalBytes) {
          LOG.warning(() -> indexFile + ": metadata.total_size is " + ts + " but the tensors hold " + c.totalBytes
              + " bytes");
        }
      });
      return c;
    } catch (IOException | RuntimeException e) {
      closeAll(shards, e);
      throw e;
    }
  }

  private static void closeAll(List<SafetensorsFile> files, Throwable primary) {
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (IOException c) {
        primary.addSuppressed(c);
      }
    }
  }

  /** The file or folder this was opened from. */
  public Path path() {
    return path;
  }

  /** Tensor names: shard by shard in {@link #shardFiles()} order, each shard's in header order. */
  public List<String> names() {
    checkOpen();
    return owner.keySet().asList();
  }

  /**
   * The tensor called {@code name}.
   *
   * @throws IllegalArgumentException naming the tensor and the checkpoint if there is none
   */
  public Tensor tensor(String name) {
    checkOpen();
    SafetensorsFile f = owner.get(name);
    checkArgument(f != null, "no tensor '%s' in checkpoint %s (%s tensors)", name, path, owner.size());
    return f.tensor(name);
  }

  /** The tensor called {@code name}, if there is one. */
  public Optional<Tensor> find(String name) {
    checkOpen();
    SafetensorsFile f = owner.get(name);
    return f == null ? Optional.empty() : Optional.of(f.tensor(name));
  }

  /** Whether there is a tensor called {@code name}. */
  public boolean contains(String name) {
    checkOpen();
    return owner.containsKey(name);
  }

  /**
   * The shard file holding tensor {@code name}.
   *
   * @throws IllegalArgumentException if there is no such tensor
   */
  public Path shardOf(String name) {
    checkOpen();
    SafetensorsFile f = owner.get(name);
    checkArgument(f != null, "no tensor '%s' in checkpoint %s", name, path);
    return f.path();
  }

  /**
   * The {@code __metadata__} of the (first) shard, e.g. {@code {"format":"pt"}}; empty if none. transformers writes the
   * same metadata into every shard.
   */
  public Map<String, String> metadata() {
    checkOpen();
    return shards.isEmpty() ? Map.of() : shards.get(0).metadata();
  }

  /**
   * The index's {@code metadata} object (e.g. {@code total_size}, {@code total_parameters}) with values as
   * {@code Long}, {@code Double}, {@code String} or {@code Boolean}; empty for an unsharded checkpoint.
   */
  public Map<String, Object> indexMetadata() {
    checkOpen();
    return index.map(ShardIndex::metadata).orElse(Map.of());
  }

  /** The index file, for a sharded checkpoint. */
  public Optional<Path> indexFile() {
    checkOpen();
    return index.map(ShardIndex::file);
  }

  /** The {@code .safetensors} files, sorted by path (one for an unsharded checkpoint). */
  public List<Path> shardFiles() {
    checkOpen();
    return shards.stream().map(SafetensorsFile::path).toList();
  }

  /** The opened shard files, in {@link #shardFiles()} order. */
  public List<SafetensorsFile> shards() {
    checkOpen();
    return shards;
  }

  /** Tensors present in a shard but not listed in the index (ignored), by shard; empty when unsharded. */
  public Map<Path, List<String>> unindexedTensors() {
    checkOpen();
    return unindexed;
  }

  /** The sum of all tensors' byte sizes (what the index calls {@code total_size}). */
  public long totalBytes() {
    checkOpen();
    return totalBytes;
  }

  /** Closes every shard; idempotent. Failures after the first are added to it as suppressed. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException first = null;
    for (SafetensorsFile f : shards) {
      try {
        f.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void checkOpen() {
    checkState(!closed, "checkpoint %s was closed", path);
  }

  @Override
  public String toString() {
    return "SafetensorsCheckpoint[" + path + ", " + shards.size() + " shard(s), " + owner.size() + " tensors]";
  }
}

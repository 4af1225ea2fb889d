package org.ffnfuse.formats.safetensors;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;
import static org.ffnfuse.formats.safetensors.SafetensorsHeaderLayout.METADATA_KEY;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.tensor.Fp16Overflow;
import org.ffnfuse.formats.tensor.Fp16OverflowException;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Streams tensors into a safetensors file, or into shards with an index as transformers' {@code save_pretrained} does.
 *
 * <pre>{@code
 * SafetensorsWriter w = SafetensorsWriter.builder(outDir).maxShardBytes(5L << 30).metadata(Map.of("format", "pt"))
 *     .build();
 * w.add("model.embed_tokens.weight", embed);   // sources are read only when written
 * w.write();
 * }</pre>
 *
 * <p>Tensors are written in the order added, one at a time through {@link Tensor#writeTo} (zero-copy for mapped
 * tensors), so the checkpoint is never held in heap. Headers are compact JSON ({@code {"name":{"dtype":"F32",
 * "shape":[..],"data_offsets":[begin,end]},..}}, offsets in bytes relative to the data section) padded with spaces to a
 * multiple of 8 bytes, preceded by their length as an unsigned 64-bit little-endian integer.
 *
 * <p>Output naming in a folder (prefix {@code model} by default): one shard → {@code model.safetensors}; more →
 * {@code model-00001-of-0000N.safetensors} plus {@code model.safetensors.index.json} with {@code metadata.total_size}
 * (sum of tensor bytes) and the sorted {@code weight_map}. Shards are filled in order up to
 * {@link Builder#maxShardBytes} bytes of tensor data (headers not counted); a larger tensor gets a shard of its own.
 * After a successful write into a folder (also by {@link #copy(SafetensorsCheckpoint, Path)}), files of an earlier
 * save with the same prefix that this one did not produce ({@code model.safetensors}, {@code model-*-of-*.safetensors},
 * the index) are deleted, so that readers do not pick up a stale file, as {@code save_pretrained} does.
 *
 * <p>Every file is written under a temporary name in its folder and renamed atomically once all are complete (the
 * index last); on failure no output file appears and temporary files are deleted.
 */
public final class SafetensorsWriter {
  private static final Logger LOG = Logger.getLogger(SafetensorsWriter.class.getName());

  private final Path out;
  private final boolean fileMode;
  private final long maxShardBytes;
  private final Map<String, String> metadata;
  private final String prefix;
  private final Map<String, Object> indexMetadata;
  private final Optional<SafetensorsHeaderLayout> layout;
  private final boolean sha256;
  private final Fp16Overflow fp16Overflow;
  private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
  private Map<Path, String> hashes = Map.of();
  private boolean written;

  private SafetensorsWriter(Builder b) {
    this.out = b.out;
    this.fileMode = b.fileMode;
    this.maxShardBytes = b.maxShardBytes;
    this.metadata = b.metadata;
    this.prefix = b.prefix;
    this.indexMetadata = b.indexMetadata;
    this.layout = b.layout;
    this.sha256 = b.sha256;
    this.fp16Overflow = b.fp16Overflow;
  }

  /**
   * A writer into {@code outDirOrFile}: a path ending in {@code .safetensors} that is not an existing folder is one
   * output file (no sharding); anything else is a folder, created if needed.
   */
  public static Builder builder(Path outDirOrFile) {
    checkNotNull(outDirOrFile);
    boolean file = outDirOrFile.getFileName() != null
        && outDirOrFile.getFileName().toString().endsWith(".safetensors") && !Files.isDirectory(outDirOrFile);
    return new Builder(outDirOrFile, file);
  }

  /**
   * Adds a tensor; its bytes are read from {@code source} only during {@link #write()}.
   *
   * @throws IllegalArgumentException if the name was already added, is {@code __metadata__}, or is not valid Unicode
   * @throws IllegalStateException if {@link #write()} was called
   */
  public SafetensorsWriter add(String name, Tensor source) {
    checkNotNull(name, "name");
    checkNotNull(source, "source of %s", name);
    checkState(!written, "write() was already called; create a new writer");
    checkArgument(!name.equals(METADATA_KEY), "'%s' is reserved for the header's metadata", METADATA_KEY);
    checkArgument(StandardCharsets.UTF_8.newEncoder().canEncode(name), "tensor name '%s' is not valid Unicode", name);
    checkArgument(!tensors.containsKey(name), "duplicate tensor name '%s' (already added)", name);
    tensors.put(name, fp16Overflow.apply(source));
    return this;
  }

  /**
   * Writes all added tensors and, when sharded, the index.
   *
   * @return the files written: shards in order, then the index if any
   * @throws IOException on a write failure or a source's read failure (rethrown as is, after deleting temporary files)
   * @throws IllegalStateException if called twice, or if a source writes a different number of bytes than its
   *     dtype and shape require
   * @throws IllegalArgumentException if a {@link Builder#layout layout} was set and does not name exactly the added
   *     tensors
   */
  public List<Path> write() throws IOException {
    checkState(!written, "write() was already called");
    written = true;
    if (layout.isPresent()) {
      SafetensorsHeaderLayout l = layout.get();
      Set<String> want = new HashSet<>(l.dataOrder());
      checkArgument(want.equals(tensors.keySet()), "layout names %s tensors but %s were added (missing: %s)",
          want.size(), tensors.size(), diff(want, tensors.keySet()));
      List<String> keys = new ArrayList<>(l.keyOrder());
      if (!metadata.isEmpty() && !keys.contains(METADATA_KEY)) {
        keys.add(0, METADATA_KEY);
      }
      Path target = fileMode ? out : out.resolve(prefix + ".safetensors");
      List<Path> files = commit(List.of(new Shard(target, keys, l.dataOrder(), l.headerLength())), Optional.empty());
      if (!fileMode) {
        deleteStale(out, prefix, files);
      }
      return files;
    }
    List<List<String>> groups = planShards();
    List<Shard> shards = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      String fileName = groups.size() == 1 ? prefix + ".safetensors"
          : String.format("%s-%05d-of-%05d.safetensors", prefix, i + 1, groups.size());
      List<String> keys = new ArrayList<>(groups.get(i));
      if (!metadata.isEmpty()) {
        keys.add(0, METADATA_KEY);
      }
      shards.add(new Shard(fileMode ? out : out.resolve(fileName), keys, groups.get(i), 0));
    }
    Optional<Path> index = Optional.empty();
    Map<String, String> weightMap = new LinkedHashMap<>();
    if (shards.size() > 1) {
      index = Optional.of(out.resolve(prefix + ".safetensors.index.json"));
      for (Shard s : shards) {
        s.dataOrder().forEach(n -> weightMap.put(n, s.target().getFileName().toString()));
      }
    }
    List<Path> files = commit(shards, index.map(p -> new IndexSpec(p, weightMap)));
    if (!fileMode) {
      deleteStale(out, prefix, files);
    }
    return files;
  }

  /**
   * Rewrites {@code source} to {@code outFile} with the same header key order (including where {@code __metadata__}
   * sits), data order and header padding. The header is regenerated, not copied, so the result is byte-identical for
   * every file whose header is in the reference implementation's compact form (all files written by the safetensors
   * library, PyTorch and transformers); a header with other spacing or entry field order comes out in compact form.
   */
  public static List<Path> copy(SafetensorsFile source, Path outFile) throws IOException {
    Builder b = new Builder(outFile, true).metadata(source.metadata()).layout(source.layout());
    SafetensorsWriter w = b.build();
    for (String n : source.names()) {
      w.add(n, source.tensor(n));
    }
    return w.write();
  }

  /**
   * Copies a checkpoint: each shard byte for byte under its own file name inside {@code outDir}, and for a sharded one
   * an index with the same {@code weight_map} and {@code metadata} ({@code total_size} recomputed), formatted as
   * transformers writes it. An unsharded checkpoint goes to {@code outDirOrFile} if that names a
   * {@code .safetensors} file, else into that folder under its own name.
   */
  public static List<Path> copy(SafetensorsCheckpoint source, Path outDirOrFile) throws IOException {
    if (source.indexFile().isEmpty()) {
      SafetensorsFile f = source.shards().get(0);
      boolean file = builder(outDirOrFile).fileMode;
      return copy(f, file ? outDirOrFile : outDirOrFile.resolve(f.path().getFileName()));
    }
    Path srcDir = source.indexFile().get().toAbsolutePath().getParent();
    List<AtomicFiles.Job> jobs = new ArrayList<>();
    Map<Path, Path> targets = new LinkedHashMap<>();
    for (SafetensorsFile f : source.shards()) {
      Path target = outDirOrFile.resolve(srcDir.relativize(f.path().toAbsolutePath()));
      targets.put(f.path(), target);
      SafetensorsWriter w = new Builder(target, true).metadata(f.metadata()).layout(f.layout()).build();
      for (String n : f.names()) {
        w.add(n, f.tensor(n));
      }
      jobs.add(new AtomicFiles.Job(target, ch -> w.writeShard(ch, w.singleShard(target))));
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (String n : source.names()) {
      weightMap.put(n, srcDir.relativize(source.shardOf(n).toAbsolutePath()).toString());
    }
    Map<String, Object> md = new LinkedHashMap<>(source.indexMetadata());
    md.put("total_size", source.totalBytes());
    String json = IndexJson.encode(md, weightMap);
    String indexName = source.indexFile().get().getFileName().toString();
    jobs.add(new AtomicFiles.Job(outDirOrFile.resolve(indexName),
        ch -> writeFully(ch, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))));
    List<Path> files = AtomicFiles.write(jobs);
    String suffix = ".safetensors.index.json";
    if (indexName.endsWith(suffix)) {
      deleteStale(outDirOrFile, indexName.substring(0, indexName.length() - suffix.length()), files);
    }
    return files;
  }

  /** One output file: its header key order (names and maybe {@code __metadata__}) and data order. */
  private record Shard(Path target, List<String> keyOrder, List<String> dataOrder, long minHeaderLength) {}

  private record IndexSpec(Path file, Map<String, String> weightMap) {}

  private Shard singleShard(Path target) {
    SafetensorsHeaderLayout l = layout.orElseThrow();
    return new Shard(target, l.keyOrder(), l.dataOrder(), l.headerLength());
  }

  private List<List<String>> planShards() {
    List<List<String>> groups = new ArrayList<>();
    List<String> current = new ArrayList<>();
    long currentBytes = 0;
    for (var e : tensors.entrySet()) {
      long size = e.getValue().byteSize();
      if (size > maxShardBytes) {
        if (!current.isEmpty()) {
          groups.add(current);
          current = new ArrayList<>();
          currentBytes = 0;
        }
        groups.add(List.of(e.getKey()));
        continue;
      }
      if (currentBytes + size > maxShardBytes && !current.isEmpty()) {
        groups.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(e.getKey());
      currentBytes += size;
    }
    if (!current.isEmpty() || groups.isEmpty()) {
      groups.add(current);
    }
    checkArgument(!fileMode || groups.size() == 1, "%s tensors need %s shards of at most %s bytes; sharded output"
        + " needs a folder, not the file %s", tensors.size(), groups.size(), maxShardBytes, out);
    return groups;
  }

  private List<Path> commit(List<Shard> shards, Optional<IndexSpec> index) throws IOException {
    List<AtomicFiles.Job> jobs = new ArrayList<>();
    for (Shard s : shards) {
      jobs.add(new AtomicFiles.Job(s.target(), ch -> writeShard(ch, s)));
    }
    if (index.isPresent()) {
      Map<String, Object> md = new LinkedHashMap<>(indexMetadata);
      md.put("total_size", tensors.values().stream().mapToLong(Tensor::byteSize).sum());
      byte[] json = IndexJson.encode(md, index.get().weightMap()).getBytes(StandardCharsets.UTF_8);
      jobs.add(new AtomicFiles.Job(index.get().file(), ch -> writeFully(ch, ByteBuffer.wrap(json))));
    }
    if (!sha256) {
      return AtomicFiles.write(jobs);
    }
    hashes = java.util.Collections.unmodifiableMap(AtomicFiles.writeHashed(jobs));
    return List.copyOf(hashes.keySet());
  }

  /**
   * The SHA-256 (lowercase hex) of every file {@link #write()} wrote, by path, computed while writing; empty unless
   * {@link Builder#sha256} was set.
   *
   * @throws IllegalStateException before {@link #write()}
   */
  public Map<Path, String> sha256() {
    checkState(written, "write() was not called yet");
    return hashes;
  }

  private void writeShard(FileChannel ch, Shard s) throws IOException {
    Map<String, SafetensorsHeader.Entry> entries = new LinkedHashMap<>();
    long at = 0;
    for (String n : s.dataOrder()) {
      Tensor t = tensors.get(n);
      long size = t.byteSize();
      entries.put(n, new SafetensorsHeader.Entry(n, t.dtype(), t.shape(), at, at + size));
      at += size;
    }
    byte[] header = HeaderJson.encode(s.keyOrder(), metadata, entries, s.minHeaderLength());
    ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(header.length).put(header).flip();
    writeFully(ch, head);
    for (String n : s.dataOrder()) {
      Tensor t = tensors.get(n);
      long before = ch.position();
      try {
        t.writeTo(ch);
      } catch (Fp16OverflowException e) {
        throw new ModelFormatException(s.target(), "tensor '" + n + "': " + e.getMessage(), e);
      }
      long wrote = ch.position() - before;
      SafetensorsHeader.Entry e = entries.get(n);
      checkState(wrote == e.end() - e.begin(), "source of tensor '%s' (%s) wrote %s bytes to %s, but its dtype %s and"
          + " shape %s need %s", n, t, wrote, s.target(), t.dtype(), t.shape(), e.end() - e.begin());
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Deletes {@code PREFIX.safetensors}, {@code PREFIX-NNNNN-of-NNNNN.safetensors} and the index not just written. */
  private static void deleteStale(Path dir, String prefix, List<Path> written) throws IOException {
    Pattern stale = Pattern.compile(Pattern.quote(prefix)
        + "(\\.safetensors|-\\d{5}-of-\\d{5}\\.safetensors|\\.safetensors\\.index\\.json)");
    Set<Path> keep = new HashSet<>();
    for (Path p : written) {
      keep.add(p.toAbsolutePath().normalize());
    }
    List<Path> old;
    try (Stream<Path> s = Files.list(dir)) {
      old = s.filter(p -> stale.matcher(p.getFileName().toString()).matches()
          && !keep.contains(p.toAbsolutePath().normalize())).toList();
    }
    for (Path p : old) {
      LOG.info(() -> "deleting " + p + " left by an earlier save (not part of this one)");
      Files.deleteIfExists(p);
    }
  }

  private static Set<String> diff(Set<String> a, Set<String> b) {
    Set<String> d = new HashSet<>(a);
    d.removeAll(b);
    Set<String> e = new HashSet<>(b);
    e.removeAll(a);
    d.addAll(e);
    return d;
  }

  /** Options of a {@link SafetensorsWriter}. */
  public static final class Builder {
    private final Path out;
    private final boolean fileMode;
    private long maxShardBytes = Long.MAX_VALUE;
    private Map<String, String> metadata = Map.of();
    private String prefix = "model";
    private Map<String, Object> indexMetadata = Map.of();
    private Optional<SafetensorsHeaderLayout> layout = Optional.empty();
    private boolean sha256;
    private Fp16Overflow fp16Overflow = Fp16Overflow.ERROR;

    private Builder(Path out, boolean fileMode) {
      this.out = out;
      this.fileMode = fileMode;
    }

    /**
     * Largest tensor data per shard, in bytes (headers not counted); default: unlimited (one file). Needs a folder
     * output when more than one shard results.
     */
    public Builder maxShardBytes(long bytes) {
      checkArgument(bytes > 0, "maxShardBytes must be positive, got %s", bytes);
      this.maxShardBytes = bytes;
      return this;
    }

    /** The {@code __metadata__} string map written into every file (in this map's order); default none. */
    public Builder metadata(Map<String, String> metadata) {
      var utf8 = StandardCharsets.UTF_8.newEncoder();
      metadata.forEach((k, v) -> checkArgument(utf8.canEncode(k) && utf8.canEncode(v),
          "metadata entry '%s' is not valid Unicode", k));
      this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
      return this;
    }

    /** File name prefix in a folder: {@code PREFIX.safetensors}, {@code PREFIX-00001-of-00002.safetensors}. */
    public Builder shardPrefix(String prefix) {
      checkArgument(!prefix.isEmpty() && !prefix.contains("/") && !prefix.contains("\\") && !prefix.startsWith("."),
          "bad shard prefix '%s'", prefix);
      this.prefix = prefix;
      return this;
    }

    /**
     * Extra entries for the index's {@code metadata} object (e.g. {@code total_parameters}), written beside the
     * computed {@code total_size}; values are numbers, strings or booleans.
     */
    public Builder indexMetadata(Map<String, ?> indexMetadata) {
      this.indexMetadata = Map.copyOf(indexMetadata);
      return this;
    }

    /**
     * Writes one file with this header key order, data order and (at least) this header length, as read from an
     * existing file by {@link SafetensorsFile#layout()}; with the same metadata and tensors the output is byte-identical
     * to that file (see {@link SafetensorsWriter#copy(SafetensorsFile, Path)}). Excludes sharding.
     */
    public Builder layout(SafetensorsHeaderLayout layout) {
      this.layout = Optional.of(layout);
      return this;
    }

    /** Shorthand for {@code build().add(name, source)}. */
    public SafetensorsWriter add(String name, Tensor source) {
      return build().add(name, source);
    }

    /**
     * The writer: {@link SafetensorsWriter#add add} tensors, then {@link SafetensorsWriter#write write}.
     *
     * @throws IllegalArgumentException if {@link #layout} is combined with {@link #maxShardBytes}
     */
    /**
     * Also computes every written file's SHA-256, on a second thread while the file is written (see
     * {@link SafetensorsWriter#sha256()}), for a manifest that costs no extra pass over the output.
     */
    public Builder sha256(boolean enabled) {
      this.sha256 = enabled;
      return this;
    }

    /**
     * What a finite value beyond fp16's range does in a tensor computed into fp16: fail with a
     * {@link ModelFormatException} naming the tensor ({@link Fp16Overflow#ERROR}, the default) or clamp.
     */
    public Builder fp16Overflow(Fp16Overflow policy) {
      this.fp16Overflow = checkNotNull(policy);
      return this;
    }

    public SafetensorsWriter build() {
      checkArgument(layout.isEmpty() || maxShardBytes == Long.MAX_VALUE, "layout() writes one file; drop maxShardBytes");
      return new SafetensorsWriter(this);
    }
  }
}

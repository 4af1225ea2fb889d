package org.ffnfuse.formats.safetensors;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.MappedFile;
import org.ffnfuse.formats.tensor.MappedTensor;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * One {@code .safetensors} file, memory-mapped. The header is read and validated when the file is opened (see
 * {@link #open}); tensors are lazy {@link MappedTensor} views whose bytes (little-endian, row-major) are paged in on
 * first read, so files larger than RAM and single tensors larger than 2 GiB can be read.
 *
 * <p>Thread-safe for reading. {@link #close()} unmaps the file and is idempotent; afterwards every method but
 * {@link #path()}, {@link #isClosed()} and {@code close()} throws {@link IllegalStateException}, and so does reading a
 * tensor obtained before.
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path path;
  private final MappedFile file;
  private final SafetensorsHeader header;
  private final ImmutableMap<String, MappedTensor> tensors;

  private SafetensorsFile(Path path, MappedFile file, SafetensorsHeader header) {
    this.path = path;
    this.file = file;
    this.header = header;
    long dataStart = header.layout().dataStart();
    ImmutableMap.Builder<String, MappedTensor> b = ImmutableMap.builderWithExpectedSize(header.entries().size());
    for (SafetensorsHeader.Entry e : header.entries()) {
      b.put(e.name(), new MappedTensor(file, dataStart + e.begin(), e.dtype(), e.shape()));
    }
    this.tensors = b.buildOrThrow();
  }

  /**
   * Opens and validates {@code file}.
   *
   * @throws ModelFormatException if the file is not valid safetensors: shorter than 8 bytes; a header length past the
   *     end of the file or over 100 MB; a header that is not UTF-8, not JSON, or not an object; an entry without
   *     dtype, shape or data_offsets or with one of the wrong JSON type; an unknown dtype; negative or non-integer
   *     dimensions or offsets; a shape whose byte size differs from the data_offsets span; offsets with begin after
   *     end, past the end of the file, overlapping, or leaving gaps or trailing bytes; a duplicate tensor name; a
   *     {@code __metadata__} that is not a string map. The message names the file and the tensor.
   * @throws IOException if the file cannot be read
   */
  public static SafetensorsFile open(Path file) throws IOException {
    MappedFile mf = MappedFile.open(file);
    try {
      return new SafetensorsFile(file, mf, SafetensorsHeader.read(mf));
    } catch (IOException | RuntimeException e) {
      try {
        mf.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  /** The file this was opened from. */
  public Path path() {
    return path;
  }

  /** File size in bytes. */
  public long size() {
    checkOpen();
    return file.size();
  }

  /** Tensor names in header order. */
  public List<String> names() {
    checkOpen();
    return tensors.keySet().asList();
  }

  /**
   * The tensor called {@code name}.
   *
   * @throws IllegalArgumentException naming the tensor and the file if there is none
   */
  public Tensor tensor(String name) {
    checkOpen();
    MappedTensor t = tensors.get(name);
    checkArgument(t != null, "no tensor '%s' in %s (%s tensors)", name, path, tensors.size());
    return t;
  }

  /** The tensor called {@code name}, if the file has one. */
  public Optional<Tensor> find(String name) {
    checkOpen();
    return Optional.ofNullable(tensors.get(name));
  }

  /** Whether the file has a tensor called {@code name}. */
  public boolean contains(String name) {
    checkOpen();
    return tensors.containsKey(name);
  }

  /** The header's {@code __metadata__} string map in header order, empty if it has none. */
  public Map<String, String> metadata() {
    checkOpen();
    return header.metadata();
  }

  /** Key order, metadata position, data order and header length: what a byte-exact rewrite needs. */
  public SafetensorsHeaderLayout layout() {
    checkOpen();
    return header.layout();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return file.isClosed();
  }

  /** Unmaps the file; idempotent. */
  @Override
  public void close() throws IOException {
    file.close();
  }

  private void checkOpen() {
    checkState(!file.isClosed(), "%s was closed", path);
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
  }
}

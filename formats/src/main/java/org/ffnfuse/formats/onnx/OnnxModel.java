package org.ffnfuse.formats.onnx;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.onnx.TensorProtos.InvalidTensorException;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.MappedFile;
import org.ffnfuse.formats.tensor.MappedTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * An ONNX model read from a file, with its main graph's initializers as lazy {@link Tensor} views.
 *
 * <p>The file is memory-mapped and parsed with aliasing, so {@code raw_data} fields are views into the mapping rather
 * than heap copies; a model up to protobuf's 2 GiB limit costs little heap beyond its graph structure. External data
 * ({@code data_location = EXTERNAL}) is resolved relative to the model's folder and mapped in windows
 * ({@link MappedFile}), one mapping per data file, so tensors and data files larger than 2 GiB work.
 *
 * <p>Everything the views need is checked by {@link #open}: data types, dims, raw and typed data sizes, external
 * locations (inside the folder, existing) and byte ranges (inside the data file, matching dims × dtype size). The model
 * file must not be modified in place while open (replace it by renaming, as {@link OnnxModelWriter} does).
 *
 * <p>{@link #close()} is idempotent and closes the data files; any use after it throws {@link IllegalStateException}.
 */
public final class OnnxModel implements AutoCloseable {
  private final Path path;
  private final ModelProto proto;
  private final Map<String, Initializer> initializers;
  private final Map<Path, MappedFile> dataFiles;
  private volatile boolean closed;

  /** One main-graph initializer; typed-field data is decoded on request. */
  private record Initializer(TensorProto proto, DType dtype, Shape shape, Optional<Tensor> view) {}

  private OnnxModel(Path path, ModelProto proto, Map<String, Initializer> initializers,
      Map<Path, MappedFile> dataFiles) {
    this.path = path;
    this.proto = proto;
    this.initializers = initializers;
    this.dataFiles = dataFiles;
  }

  /**
   * Reads and validates {@code onnxFile}.
   *
   * @throws ModelFormatException if the file is not an ONNX protobuf, is truncated, or an initializer is malformed
   *     (message names the file and tensor)
   * @throws java.nio.file.NoSuchFileException if {@code onnxFile} does not exist
   */
  public static OnnxModel open(Path onnxFile) throws IOException {
    checkNotNull(onnxFile, "onnxFile");
    return open(onnxFile, parse(onnxFile));
  }

  /**
   * Validates model bytes already in memory as if read from {@code onnxFile} (external data is looked for beside it);
   * for fuzzing, where writing and mapping a file per input would cost more than the parse.
   */
  static OnnxModel open(Path onnxFile, ByteBuffer contents) throws IOException {
    return open(onnxFile, parse(onnxFile, UnsafeByteOperations.unsafeWrap(contents)));
  }

  private static OnnxModel open(Path onnxFile, ModelProto proto) throws IOException {
    ModelVersions.check(onnxFile, proto);
    Map<Path, MappedFile> dataFiles = new LinkedHashMap<>();
    try {
      Map<String, Initializer> inits = index(onnxFile, proto, dataFiles);
      return new OnnxModel(onnxFile, proto, inits, dataFiles);
    } catch (IOException | RuntimeException e) {
      closeAll(dataFiles.values(), e);
      throw e;
    }
  }

  private static ModelProto parse(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0) {
        throw new ModelFormatException(file, "empty file, expected an ONNX ModelProto");
      }
      if (size > Integer.MAX_VALUE) {
        throw new ModelFormatException(file, String.format("%d bytes exceed protobuf's 2 GiB limit; a model this large"
            + " must keep its weights in external data (onnx.save(..., save_as_external_data=True))", size));
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      // The mapping outlives the channel and is released by the GC.
      return parse(file, UnsafeByteOperations.unsafeWrap(map));
    }
  }

  /**
   * Parses {@code bytes}, which must not change while the model is in use: parsing from a ByteString marks the input
   * immutable, so aliasing makes raw_data a slice of it (of the mapping) instead of a heap copy.
   */
  private static ModelProto parse(Path file, ByteString bytes) throws IOException {
    ModelProto proto;
    try {
      CodedInputStream in = bytes.newCodedInput();
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      proto = ModelProto.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException(file, "not an ONNX model or truncated: the protobuf does not parse ("
          + e.getMessage() + ")", e);
    }
    if (!proto.hasGraph()) {
      throw new ModelFormatException(file, "not an ONNX model: the protobuf has no ModelProto.graph (field 7)");
    }
    return proto;
  }

  private static Map<String, Initializer> index(Path file, ModelProto proto, Map<Path, MappedFile> dataFiles)
      throws IOException {
    Path dir = file.toAbsolutePath().normalize().getParent();
    Map<String, Initializer> out = new LinkedHashMap<>();
    for (TensorProto t : proto.getGraph().getInitializerList()) {
      if (out.containsKey(t.getName())) {
        throw new ModelFormatException(file, String.format(
            "initializer '%s' appears twice in the main graph; names must be unique", t.getName()));
      }
      try {
        DType dtype = TensorProtos.dtype(t);
        Shape shape = TensorProtos.shape(t);
        Optional<Tensor> view;
        if (TensorProtos.isExternal(t)) {
          view = Optional.of(external(file, dir, t, dtype, shape, dataFiles));
        } else {
          Tensor inline = TensorProtos.inline(t, dtype, shape); // validates sizes of typed fields too
          view = inline instanceof ByteBufferTensor ? Optional.of(inline) : Optional.empty();
        }
        out.put(t.getName(), new Initializer(t, dtype, shape, view));
      } catch (InvalidTensorException e) {
        throw new ModelFormatException(file, e.getMessage(), e);
      }
    }
    return out;
  }

  private static Tensor external(Path file, Path dir, TensorProto t, DType dtype, Shape shape,
      Map<Path, MappedFile> dataFiles) throws IOException, InvalidTensorException {
    ExternalDataRef ref = ExternalDataRef.of(t);
    Path data;
    try {
      Path rel = Path.of(ref.location());
      data = dir.resolve(rel).normalize();
      if (rel.isAbsolute() || !data.startsWith(dir)) {
        throw new ModelFormatException(file, String.format(
            "initializer '%s': external data location '%s' leaves the model's folder %s; locations must be"
                + " relative paths inside it", t.getName(), ref.location(), dir));
      }
    } catch (InvalidPathException e) {
      throw new ModelFormatException(file, String.format(
          "initializer '%s': external data location '%s' is not a valid path", t.getName(), ref.location()), e);
    }
    MappedFile mf = dataFiles.get(data);
    if (mf == null) {
      if (!Files.isRegularFile(data)) {
        throw new ModelFormatException(file, String.format(
            "initializer '%s': external data file '%s' not found (looked for %s); copy it beside the model",
            t.getName(), ref.location(), data));
      }
      checkRealPathInside(file, dir, t, ref, data);
      mf = MappedFile.open(data);
      dataFiles.put(data, mf);
    }
    long expected = Math.multiplyExact(shape.elementCount(), (long) dtype.byteSize());
    if (ref.length().isPresent() && ref.length().getAsLong() != expected) {
      throw new ModelFormatException(file, String.format(
          "initializer '%s': external data length %d ≠ %d bytes expected for %s dims %s", t.getName(),
          ref.length().getAsLong(), expected, TensorProtos.typeName(dtype.onnxCode()), shape));
    }
    if (ref.offset() > mf.size() || expected > mf.size() - ref.offset()) {
      throw new ModelFormatException(file, String.format(
          "initializer '%s': external data range [%d, %d) lies outside '%s' of %d bytes (truncated data file?)",
          t.getName(), ref.offset(), ref.offset() + expected, ref.location(), mf.size()));
    }
    return new MappedTensor(mf, ref.offset(), dtype, shape);
  }

  /**
   * The external data files that {@code onnxFile}'s main-graph initializers refer to, resolved beside it (relative
   * if {@code onnxFile} is), in first-use order; reads only the protobuf (no data file is opened or checked:
   * {@link #open} does that).
   *
   * @throws ModelFormatException if the file is not an ONNX protobuf
   */
  public static Set<Path> externalDataFiles(Path onnxFile) throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    for (TensorProto t : parse(onnxFile).getGraph().getInitializerList()) {
      if (TensorProtos.isExternal(t)) {
        try {
          out.add(onnxFile.resolveSibling(ExternalDataRef.of(t).location()).normalize());
        } catch (InvalidTensorException | InvalidPathException e) {
          // A malformed reference names no file; open() reports it.
        }
      }
    }
    return out;
  }

  /**
   * Refuses a data file that is a symbolic link (or lies under one) leading out of the model's folder: the location
   * string stays inside, but the bytes would come from elsewhere (a link to /etc/shadow, say).
   */
  private static void checkRealPathInside(Path file, Path dir, TensorProto t, ExternalDataRef ref, Path data)
      throws IOException {
    Path realDir = dir.toRealPath();
    Path real = data.toRealPath();
    if (!real.startsWith(realDir)) {
      throw new ModelFormatException(file, String.format(
          "initializer '%s': external data file '%s' is a link to %s, outside the model's folder %s; copy the data"
              + " file into the folder instead of linking to it", t.getName(), ref.location(), real, realDir));
    }
  }

  /** The file this model was read from, as given to {@link #open}. */
  public Path path() {
    return path;
  }

  /**
   * The model as read: external-data references intact, small initializers' {@code raw_data} intact, unknown
   * fields kept.
   */
  public ModelProto proto() {
    checkOpen();
    return proto;
  }

  /** Names of the main graph's initializers, in graph order. */
  public List<String> initializerNames() {
    checkOpen();
    return List.copyOf(initializers.keySet());
  }

  /**
   * A lazy view of initializer {@code name}: external data is read from the mapped data file, {@code raw_data} from
   * the mapped model file; typed fields ({@code float_data}, {@code int32_data}, …) are decoded into heap.
   *
   * @throws IllegalArgumentException if the main graph has no such initializer
   */
  public Tensor initializer(String name) {
    return findInitializer(name).orElseThrow(() -> new IllegalArgumentException(
        path + ": no initializer '" + name + "' in the main graph"));
  }

  /** The view of initializer {@code name}, if the main graph has one. */
  public Optional<Tensor> findInitializer(String name) {
    checkOpen();
    checkNotNull(name, "name");
    Initializer init = initializers.get(name);
    if (init == null) {
      return Optional.empty();
    }
    if (init.view().isPresent()) {
      return init.view();
    }
    try {
      return Optional.of(TensorProtos.inline(init.proto(), init.dtype(), init.shape()));
    } catch (InvalidTensorException e) {
      throw new IllegalStateException("validated at open: " + e.getMessage(), e);
    }
  }

  /** Whether initializer {@code name} keeps its data in an external file. */
  public boolean isExternal(String name) {
    checkOpen();
    Initializer init = initializers.get(name);
    checkArgument(init != null, "%s: no initializer '%s' in the main graph", path, name);
    return TensorProtos.isExternal(init.proto());
  }

  private void checkOpen() {
    checkState(!closed, "%s was closed", path);
  }

  /** Closes the external data files; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException first = null;
    for (MappedFile f : dataFiles.values()) {
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

  private static void closeAll(Iterable<MappedFile> files, Throwable failure) {
    for (MappedFile f : files) {
      try {
        f.close();
      } catch (IOException c) {
        failure.addSuppressed(c);
      }
    }
  }

  @Override
  public String toString() {
    return "OnnxModel[" + path + ", " + initializers.size() + " initializers, " + dataFiles.size()
        + " data files]";
  }
}

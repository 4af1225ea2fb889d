package org.ffnfuse.formats.onnx;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.Manifest;
import org.ffnfuse.formats.onnx.TensorProtos.InvalidTensorException;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Fp16OverflowException;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Writes an ONNX model with its large initializers in one external data file beside it, streaming tensor by tensor.
 *
 * <p>For every initializer of the main graph, the data comes from {@code tensorData} when it has the name, otherwise
 * from the proto itself ({@code raw_data} or typed fields). Initializers chosen by {@link OnnxWriteOptions} are written
 * to the data file at offsets aligned to {@link OnnxWriteOptions#alignment()}; their {@code TensorProto} gets
 * {@code data_location = EXTERNAL} and {@code external_data} {@code location}/{@code offset}/{@code length}, with its
 * data fields cleared. The others are stored in {@code raw_data} (or kept exactly as they were, if they came from the
 * proto). Everything else in the model (nodes, functions, {@code value_info}, metadata, doc strings, unknown fields) is
 * written unchanged.
 *
 * <p>Both files are written through {@link AtomicFiles}: under temporary names in the target folder, flushed, and
 * renamed when complete, data file first; on failure the temporary files are deleted and existing files are untouched.
 * External tensors are streamed with {@link Tensor#writeTo} (zero-copy from mapped files), so neither the data file nor
 * any one tensor needs to fit in heap; only tensors stored inline, which end up in the proto anyway, are read into heap.
 * With {@link OnnxWriteOptions#withManifest} a SHA-256 manifest ({@code <model>.manifest.json}) is written last.
 */
public final class OnnxModelWriter {
  private static final Logger LOG = Logger.getLogger(OnnxModelWriter.class.getName());
  /** Largest proto we write; protobuf cannot parse more than 2 GiB - 1 bytes. */
  private static final long MAX_PROTO_BYTES = Integer.MAX_VALUE;

  private OnnxModelWriter() {}

  /** One main-graph initializer and where its data comes from. */
  private record Planned(int index, TensorProto proto, Tensor data, boolean fromProto, boolean external) {}

  /** An external initializer and its offset in the data file. */
  private record Placed(Planned planned, long offset) {}

  /** {@link #write(ModelProto, Map, Path, OnnxWriteOptions)} with {@link OnnxWriteOptions#defaults()}. */
  public static void write(ModelProto model, Map<String, ? extends Tensor> tensorData, Path out) throws IOException {
    write(model, tensorData, out, OnnxWriteOptions.defaults());
  }

  /**
   * Writes {@code model} to {@code out}, with external data in {@code options.dataFileNameFor(out)} beside it if any
   * initializer is external.
   *
   * @param tensorData data for initializers by name, replacing what the proto holds; required for initializers whose
   *     proto refers to external data (the proto alone does not say where that file is)
   * @throws IllegalArgumentException if a {@code tensorData} entry's dtype or shape differs from its initializer's,
   *     names no initializer, an external initializer has no entry, an initializer is malformed, a tensor outside the
   *     main graph's initializers refers to external data, or the proto would exceed 2 GiB
   */
  public static void write(ModelProto model, Map<String, ? extends Tensor> tensorData, Path out,
      OnnxWriteOptions options) throws IOException {
    checkNotNull(model, "model");
    checkNotNull(tensorData, "tensorData");
    checkNotNull(out, "out");
    checkNotNull(options, "options");
    checkArgument(model.hasGraph(), "model has no graph");
    NestedTensors.firstExternalOutsideMainInitializers(model).ifPresent(where -> {
      throw new IllegalArgumentException(where + " refers to external data; only main-graph initializers can be"
          + " written to external data (load it into the proto first)");
    });
    Path target = out.toAbsolutePath().normalize();
    Path dir = target.getParent();
    String dataName = options.dataFileNameFor(target);
    checkArgument(!dataName.equals(target.getFileName().toString()), "data file name '%s' is the model's own name",
        dataName);

    List<Planned> plan = plan(model.getGraph(), tensorData, options);
    long inlineBytes = 0;
    for (Planned p : plan) {
      inlineBytes += p.external() ? 0 : p.fromProto() ? p.proto().getSerializedSize() : p.data().byteSize();
    }
    checkArgument(inlineBytes < MAX_PROTO_BYTES, "%s bytes of initializers stored inline exceed protobuf's 2 GiB"
        + " limit; write with external data (OnnxWriteOptions.defaults())", inlineBytes);

    // Lay out the data file and build the output proto before creating any file: a bad input writes nothing.
    GraphProto.Builder graph = model.getGraph().toBuilder();
    List<Placed> placed = new ArrayList<>();
    long end = 0;
    for (Planned p : plan) {
      if (p.external()) {
        long offset = alignUp(end, options.alignment());
        graph.setInitializer(p.index(), externalProto(p.proto(), dataName, offset, p.data().byteSize()));
        placed.add(new Placed(p, offset));
        end = offset + p.data().byteSize();
      } else if (!p.fromProto()) {
        graph.setInitializer(p.index(), inlineProto(p.proto(), p.data(), target));
      }
    }
    ModelProto written = model.toBuilder().setGraph(graph).build();
    int size = written.getSerializedSize();
    checkArgument(size >= 0, "the model proto exceeds protobuf's 2 GiB limit; move tensors to external data");

    List<AtomicFiles.Job> jobs = new ArrayList<>();
    if (!placed.isEmpty()) {
      jobs.add(new AtomicFiles.Job(dir.resolve(dataName), ch -> writeData(ch, placed, dir.resolve(dataName))));
    }
    jobs.add(new AtomicFiles.Job(target, ch -> {
      CodedOutputStream cos = CodedOutputStream.newInstance(Channels.newOutputStream(ch), 1 << 16);
      written.writeTo(cos);
      cos.flush();
    }));
    if (!options.manifest()) {
      AtomicFiles.write(jobs); // data file renamed first, then the model that refers to it
    } else {
      // A manifest of an earlier write would not match the new files: remove it before they appear, and write the new
      // one after them, so that a killed run leaves no manifest rather than a wrong one.
      Path manifest = Manifest.fileFor(target);
      Map<Path, String> hashes = AtomicFiles.writeHashed(jobs, () -> Files.deleteIfExists(manifest));
      Manifest.write(manifest, List.copyOf(hashes.keySet()), hashes);
    }
    long dataBytes = end;
    LOG.fine(() -> String.format("wrote %s: %d initializers, %d external (%d bytes in %s), proto %d bytes", target,
        plan.size(), placed.size(), dataBytes, dataName, size));
  }

  /**
   * Writes an opened model to {@code out} with {@code options}: external initializers are streamed from their data
   * files, the rest taken from the proto.
   */
  public static void copy(OnnxModel model, Path out, OnnxWriteOptions options) throws IOException {
    checkNotNull(model, "model");
    Map<String, Tensor> external = new LinkedHashMap<>();
    for (String name : model.initializerNames()) {
      if (model.isExternal(name)) {
        external.put(name, model.initializer(name));
      }
    }
    write(model.proto(), external, out, options);
  }

  /** {@link #copy(OnnxModel, Path, OnnxWriteOptions)} with {@link OnnxWriteOptions#defaults()}. */
  public static void copy(OnnxModel model, Path out) throws IOException {
    copy(model, out, OnnxWriteOptions.defaults());
  }

  private static List<Planned> plan(GraphProto graph, Map<String, ? extends Tensor> tensorData,
      OnnxWriteOptions options) {
    List<Planned> plan = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      TensorProto t = graph.getInitializer(i);
      String name = t.getName();
      checkArgument(names.add(name), "initializer '%s' appears twice in the main graph", name);
      DType dtype;
      Shape shape;
      Tensor data = tensorData.get(name);
      boolean fromProto = data == null;
      try {
        dtype = TensorProtos.dtype(t);
        shape = TensorProtos.shape(t);
        if (fromProto) {
          checkArgument(!TensorProtos.isExternal(t), "initializer '%s' refers to external data %s; pass its data in"
              + " tensorData (OnnxModelWriter.copy does this for an OnnxModel)", name, t.getExternalDataList());
          data = TensorProtos.inline(t, dtype, shape);
        }
      } catch (InvalidTensorException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      checkArgument(data.dtype() == dtype, "tensorData '%s' has dtype %s, the initializer's data_type is %s (%s)",
          name, data.dtype(), TensorProtos.typeName(t.getDataType()), t.getDataType());
      checkArgument(data.shape().equals(shape), "tensorData '%s' has shape %s, the initializer's dims are %s", name,
          data.shape(), shape);
      Tensor written = options.fp16Overflow().apply(data);
      plan.add(new Planned(i, t, written, fromProto, options.isExternal(written.byteSize())));
    }
    for (String name : tensorData.keySet()) {
      checkArgument(names.contains(name), "tensorData has '%s', which is not an initializer of the main graph", name);
    }
    return plan;
  }

  /** Streams the external tensors at their planned offsets, zero padding between them. */
  private static void writeData(FileChannel ch, List<Placed> placed, Path file) throws IOException {
    for (Placed pl : placed) {
      Planned p = pl.planned();
      ByteBuffer zeros = ByteBuffer.allocate(Math.toIntExact(pl.offset() - ch.position()));
      while (zeros.hasRemaining()) {
        ch.write(zeros);
      }
      try {
        p.data().writeTo(ch);
      } catch (Fp16OverflowException e) {
        throw overflow(file, p.proto().getName(), e);
      }
      long written = ch.position() - pl.offset();
      if (written != p.data().byteSize()) {
        throw new IllegalStateException(String.format("tensor '%s' (%s) wrote %d bytes, its size is %d",
            p.proto().getName(), p.data(), written, p.data().byteSize()));
      }
    }
  }

  private static long alignUp(long pos, int alignment) {
    return (pos + alignment - 1) / alignment * alignment;
  }

  private static TensorProto externalProto(TensorProto t, String location, long offset, long length) {
    return clearData(t.toBuilder())
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry(ExternalDataRef.LOCATION, location))
        .addExternalData(entry(ExternalDataRef.OFFSET, Long.toString(offset)))
        .addExternalData(entry(ExternalDataRef.LENGTH, Long.toString(length)))
        .build();
  }

  private static TensorProto inlineProto(TensorProto t, Tensor data, Path file) throws IOException {
    long size = data.byteSize();
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
    try {
      data.read(0, b);
    } catch (Fp16OverflowException e) {
      throw overflow(file, t.getName(), e);
    }
    return clearData(t.toBuilder()).clearDataLocation().setRawData(UnsafeByteOperations.unsafeWrap(b.array()))
        .build();
  }

  private static ModelFormatException overflow(Path file, String initializer, Fp16OverflowException e) {
    return new ModelFormatException(file, "initializer '" + initializer + "': " + e.getMessage(), e);
  }

  private static TensorProto.Builder clearData(TensorProto.Builder b) {
    return b.clearRawData().clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData().clearUint64Data()
        .clearStringData().clearExternalData();
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}

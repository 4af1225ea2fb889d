package org.ffnfuse.graph.ir;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/** Decoding of data embedded in a {@link TensorProto} ({@code raw_data} or the typed repeated fields). No file I/O. */
public final class TensorProtos {
  private TensorProtos() {}

  /**
   * The tensor held inside {@code t}, or empty if its data is external, its type unknown to {@link DType}, or its
   * element count does not match its dims.
   */
  public static Optional<Tensor> decodeEmbedded(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return Optional.empty();
    }
    Optional<DType> type = DType.fromOnnxCode(t.getDataType());
    if (type.isEmpty()) {
      return Optional.empty();
    }
    DType dt = type.get();
    Shape shape = Shape.copyOf(t.getDimsList());
    long n = shape.elementCount();
    if (n * dt.byteSize() > Integer.MAX_VALUE - 8) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.allocate((int) (n * dt.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    if (!t.getRawData().isEmpty() || n == 0) {
      if (t.getRawData().size() != b.capacity()) {
        return Optional.empty();
      }
      t.getRawData().copyTo(b);
    } else {
      switch (dt) {
        case F32 -> {
          if (t.getFloatDataCount() != n) {
            return Optional.empty();
          }
          t.getFloatDataList().forEach(b::putFloat);
        }
        case F64 -> {
          if (t.getDoubleDataCount() != n) {
            return Optional.empty();
          }
          t.getDoubleDataList().forEach(b::putDouble);
        }
        case I64 -> {
          if (t.getInt64DataCount() != n) {
            return Optional.empty();
          }
          t.getInt64DataList().forEach(b::putLong);
        }
        default -> {
          // ONNX stores INT32, INT16, INT8, UINT8, BOOL, FLOAT16, BFLOAT16 and FLOAT8 in int32_data, one per element.
          if (t.getInt32DataCount() != n) {
            return Optional.empty();
          }
          for (int v : t.getInt32DataList()) {
            switch (dt.byteSize()) {
              case 4 -> b.putInt(v);
              case 2 -> b.putShort((short) v);
              default -> b.put((byte) v);
            }
          }
        }
      }
    }
    return Optional.of(HeapTensor.ofBytes(dt, shape, b.array()));
  }

  /** A {@code TensorProto} holding {@code t}'s bytes as {@code raw_data}. */
  public static TensorProto embed(String name, Tensor t) throws java.io.IOException {
    long size = t.byteSize();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor " + name + " of " + size + " bytes is too large to embed;"
          + " write it as external data");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    t.read(0, b);
    b.flip();
    return header(name, t).setRawData(com.google.protobuf.ByteString.copyFrom(b)).build();
  }

  /** A data-less {@code TensorProto} with {@code t}'s name, dtype and dims. */
  public static TensorProto.Builder header(String name, Tensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(t.dtype().onnxCode());
    for (long d : t.shape().toArray()) {
      b.addDims(d);
    }
    return b;
  }
}

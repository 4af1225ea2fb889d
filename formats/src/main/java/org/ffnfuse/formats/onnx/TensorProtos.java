package org.ffnfuse.formats.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A {@code TensorProto}'s type, shape and in-proto data, with the checks untrusted files need. Errors are
 * {@link InvalidTensorException}s naming the tensor; the reader adds the file, the writer turns them into caller errors.
 */
final class TensorProtos {
  private TensorProtos() {}

  /** A tensor proto is malformed; the message names the tensor, expected vs found. */
  static final class InvalidTensorException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidTensorException(String message) {
      super(message);
    }
  }

  /** The element type, or an error naming the unknown or unsupported ONNX {@code data_type}. */
  static DType dtype(TensorProto t) throws InvalidTensorException {
    int code = t.getDataType();
    return DType.fromOnnxCode(code).orElseThrow(() -> new InvalidTensorException(String.format(
        "initializer '%s': data_type %d (%s) is not supported (supported: %s)", t.getName(), code, typeName(code),
        Arrays.stream(DType.values()).map(d -> typeName(d.onnxCode()) + "=" + d.onnxCode())
            .collect(Collectors.joining(", ")))));
  }

  /** The ONNX name of a {@code data_type} code ({@code FLOAT16}), or {@code unknown}. */
  static String typeName(int code) {
    TensorProto.DataType t = TensorProto.DataType.forNumber(code);
    return t == null ? "unknown" : t.name();
  }

  /** The dimensions; every one must be ≥ 0 and the element count must fit a long. */
  static Shape shape(TensorProto t) throws InvalidTensorException {
    long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    for (long d : dims) {
      if (d < 0) {
        throw new InvalidTensorException(String.format(
            "initializer '%s': negative dimension in dims %s (initializers need concrete sizes ≥ 0)", t.getName(),
            Arrays.toString(dims)));
      }
    }
    Shape s = Shape.of(dims);
    try {
      Math.multiplyExact(s.elementCount(), 8L);
    } catch (ArithmeticException e) {
      throw new InvalidTensorException(String.format(
          "initializer '%s': dims %s have more elements than any file can hold", t.getName(), s));
    }
    return s;
  }

  /** Whether the data lives in an external file ({@code data_location = EXTERNAL}). */
  static boolean isExternal(TensorProto t) {
    return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
  }

  /**
   * A view of the data stored in the proto itself: {@code raw_data} viewed in place (no copy), or a typed field
   * ({@code float_data}, {@code int32_data} holding f16/bf16 bits, …) decoded into heap.
   */
  static Tensor inline(TensorProto t, DType dtype, Shape shape) throws InvalidTensorException {
    long n = shape.elementCount();
    long bytes = n * dtype.byteSize();
    int typedCount = t.getFloatDataCount() + t.getInt32DataCount() + t.getInt64DataCount()
        + t.getDoubleDataCount() + t.getUint64DataCount() + t.getStringDataCount();
    if (t.hasSegment()) {
      throw new InvalidTensorException(String.format(
          "initializer '%s': segmented tensors (TensorProto.segment) are not supported", t.getName()));
    }
    if (t.hasRawData()) {
      if (typedCount > 0) {
        throw new InvalidTensorException(String.format(
            "initializer '%s': has both raw_data and %d typed values; ONNX allows only one", t.getName(), typedCount));
      }
      if (t.getRawData().size() != bytes) {
        throw new InvalidTensorException(String.format(
            "initializer '%s': raw_data has %d bytes, expected %d (%s dims %s × %d bytes)", t.getName(),
            t.getRawData().size(), bytes, typeName(dtype.onnxCode()), shape, dtype.byteSize()));
      }
      return new ByteBufferTensor(dtype, shape, t.getRawData().asReadOnlyByteBuffer());
    }
    if (n == 0) {
      return HeapTensor.ofBytes(dtype, shape, new byte[0]);
    }
    String field = typedField(dtype);
    int count = switch (field) {
      case "float_data" -> t.getFloatDataCount();
      case "double_data" -> t.getDoubleDataCount();
      case "int64_data" -> t.getInt64DataCount();
      default -> t.getInt32DataCount();
    };
    if (count != n) {
      throw new InvalidTensorException(String.format(
          "initializer '%s': expected %d values in %s for %s dims %s, found %d%s", t.getName(), n, field,
          typeName(dtype.onnxCode()), shape, count, typedCount == count ? "" : " (and " + typedCount
              + " values in typed fields in all; is data_type right?)"));
    }
    ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (dtype) {
        case F32 -> b.putFloat(t.getFloatData(i));
        case F64 -> b.putDouble(t.getDoubleData(i));
        case I64 -> b.putLong(t.getInt64Data(i));
        case I32 -> b.putInt(t.getInt32Data(i));
        // int32_data holds f16/bf16 bit patterns and 8/16-bit integers one per value (onnx.proto comments).
        case F16, BF16, I16 -> b.putShort((short) t.getInt32Data(i));
        default -> b.put((byte) t.getInt32Data(i));
      }
    }
    return HeapTensor.ofBytes(dtype, shape, b.array());
  }

  /** The typed field ONNX uses for {@code dtype} when {@code raw_data} is absent. */
  static String typedField(DType dtype) {
    return switch (dtype) {
      case F32 -> "float_data";
      case F64 -> "double_data";
      case I64 -> "int64_data";
      default -> "int32_data";
    };
  }
}

package org.ffnfuse.formats.tensor;

import java.util.Arrays;
import java.util.Optional;

/**
 * Element types, with their size and their codes in safetensors headers and ONNX {@code TensorProto.DataType}.
 *
 * <p>Only {@link #F32}, {@link #F16}, {@link #BF16} and {@link #F64} convert to {@code float}; the others are carried
 * through untouched.
 */
public enum DType {
  F64(8, "F64", 11, true),
  F32(4, "F32", 1, true),
  F16(2, "F16", 10, true),
  BF16(2, "BF16", 16, true),
  I64(8, "I64", 7, false),
  I32(4, "I32", 6, false),
  I16(2, "I16", 5, false),
  I8(1, "I8", 3, false),
  U8(1, "U8", 2, false),
  BOOL(1, "BOOL", 9, false),
  F8_E4M3(1, "F8_E4M3", 17, false),
  F8_E5M2(1, "F8_E5M2", 19, false);

  private final int byteSize;
  private final String safetensorsName;
  private final int onnxCode;
  private final boolean convertsToFloat;

  DType(int byteSize, String safetensorsName, int onnxCode, boolean convertsToFloat) {
    this.byteSize = byteSize;
    this.safetensorsName = safetensorsName;
    this.onnxCode = onnxCode;
    this.convertsToFloat = convertsToFloat;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The {@code dtype} string of a safetensors header. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The ONNX {@code TensorProto.DataType} code. */
  public int onnxCode() {
    return onnxCode;
  }

  /** Whether {@link Tensor#toFloats()} can read this type. */
  public boolean convertsToFloat() {
    return convertsToFloat;
  }

  /** The type with this safetensors name, if any. */
  public static Optional<DType> fromSafetensorsName(String name) {
    return Arrays.stream(values()).filter(d -> d.safetensorsName.equals(name)).findFirst();
  }

  /** The type with this ONNX data type code, if any. */
  public static Optional<DType> fromOnnxCode(int code) {
    return Arrays.stream(values()).filter(d -> d.onnxCode == code).findFirst();
  }
}

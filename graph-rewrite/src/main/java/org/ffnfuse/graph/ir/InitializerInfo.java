package org.ffnfuse.graph.ir;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;

/**
 * What an initializer's {@code TensorProto} header says without touching its data.
 *
 * @param name the initializer name
 * @param onnxDataType the {@code TensorProto.DataType} code
 * @param shape the dims
 * @param external whether the data lives in an external file
 */
public record InitializerInfo(String name, int onnxDataType, Shape shape, boolean external) {
  /** The header of {@code t}. */
  public static InitializerInfo of(TensorProto t) {
    return new InitializerInfo(t.getName(), t.getDataType(), Shape.copyOf(t.getDimsList()),
        t.getDataLocation() == TensorProto.DataLocation.EXTERNAL);
  }

  /** The element type, if FFNFuse knows it. */
  public Optional<DType> dtype() {
    return DType.fromOnnxCode(onnxDataType);
  }

  /** Whether the elements are floating point ({@link DType#convertsToFloat()}). */
  public boolean isFloat() {
    return dtype().map(DType::convertsToFloat).orElse(false);
  }
}

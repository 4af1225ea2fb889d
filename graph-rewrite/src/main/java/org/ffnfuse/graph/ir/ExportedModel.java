package org.ffnfuse.graph.ir;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.Map;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A graph written back to ONNX. Initializers added by rewrites appear in {@code model} as data-less headers (name,
 * dtype, dims) and their data in {@code newTensors}, so a writer can stream them to external data; every other part
 * of the original model is carried over unchanged.
 *
 * @param model the model; new initializers are headers without data
 * @param newTensors the data of new initializers by name, in insertion order
 */
public record ExportedModel(ModelProto model, Map<String, Tensor> newTensors) {
  public ExportedModel {
    newTensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(newTensors));
  }

  /** The model with every new initializer embedded as {@code raw_data} (for small models and tests). */
  public ModelProto withEmbeddedTensors() throws java.io.IOException {
    ModelProto.Builder b = model.toBuilder();
    var g = b.getGraphBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      Tensor t = newTensors.get(g.getInitializer(i).getName());
      if (t != null) {
        g.setInitializer(i, TensorProtos.embed(g.getInitializer(i).getName(), t));
      }
    }
    return b.build();
  }
}

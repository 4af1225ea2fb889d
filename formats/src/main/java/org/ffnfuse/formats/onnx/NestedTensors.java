package org.ffnfuse.formats.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TrainingInfoProto;
import java.util.Optional;

/**
 * Finds tensors other than the main graph's initializers that refer to external data: subgraph initializers, node
 * attributes ({@code Constant} values), sparse initializers, function bodies. The writer relocates only main-graph
 * initializers, so any of these would point into the old data file.
 */
final class NestedTensors {
  private NestedTensors() {}

  /** A description of the first such tensor ("tensor 'w' in attribute 'value' of node 'c'"), if any. */
  static Optional<String> firstExternalOutsideMainInitializers(ModelProto model) {
    GraphProto main = model.getGraph();
    for (SparseTensorProto s : main.getSparseInitializerList()) {
      Optional<String> hit = sparse(s, "sparse initializer of the main graph");
      if (hit.isPresent()) {
        return hit;
      }
    }
    Optional<String> hit = nodes(main, "the main graph");
    for (int i = 0; hit.isEmpty() && i < model.getFunctionsCount(); i++) {
      FunctionProto f = model.getFunctions(i);
      for (NodeProto n : f.getNodeList()) {
        hit = hit.or(() -> node(n, "function '" + f.getName() + "'"));
      }
    }
    for (TrainingInfoProto ti : model.getTrainingInfoList()) {
      hit = hit.or(() -> graph(ti.getInitialization(), "training initialization"))
          .or(() -> graph(ti.getAlgorithm(), "training algorithm"));
    }
    return hit;
  }

  private static Optional<String> graph(GraphProto g, String where) {
    for (TensorProto t : g.getInitializerList()) {
      if (TensorProtos.isExternal(t)) {
        return Optional.of("initializer '" + t.getName() + "' of subgraph '" + g.getName() + "' in " + where);
      }
    }
    for (SparseTensorProto s : g.getSparseInitializerList()) {
      Optional<String> hit = sparse(s, "subgraph '" + g.getName() + "' in " + where);
      if (hit.isPresent()) {
        return hit;
      }
    }
    return nodes(g, "subgraph '" + g.getName() + "' in " + where);
  }

  private static Optional<String> nodes(GraphProto g, String where) {
    for (NodeProto n : g.getNodeList()) {
      Optional<String> hit = node(n, where);
      if (hit.isPresent()) {
        return hit;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> node(NodeProto n, String where) {
    String at = "node '" + n.getName() + "' (" + n.getOpType() + ") of " + where;
    for (AttributeProto a : n.getAttributeList()) {
      String attr = "attribute '" + a.getName() + "' of " + at;
      if (a.hasT() && TensorProtos.isExternal(a.getT())) {
        return Optional.of("tensor in " + attr);
      }
      for (TensorProto t : a.getTensorsList()) {
        if (TensorProtos.isExternal(t)) {
          return Optional.of("tensor in " + attr);
        }
      }
      Optional<String> hit = a.hasSparseTensor() ? sparse(a.getSparseTensor(), attr) : Optional.empty();
      for (SparseTensorProto s : a.getSparseTensorsList()) {
        hit = hit.or(() -> sparse(s, attr));
      }
      if (a.hasG()) {
        hit = hit.or(() -> graph(a.getG(), attr));
      }
      for (GraphProto g : a.getGraphsList()) {
        hit = hit.or(() -> graph(g, attr));
      }
      if (hit.isPresent()) {
        return hit;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> sparse(SparseTensorProto s, String where) {
    boolean external = TensorProtos.isExternal(s.getValues()) || TensorProtos.isExternal(s.getIndices());
    return external ? Optional.of("sparse tensor '" + s.getValues().getName() + "' in " + where) : Optional.empty();
  }
}

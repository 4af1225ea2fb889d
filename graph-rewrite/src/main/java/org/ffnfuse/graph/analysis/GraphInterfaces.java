package org.ffnfuse.graph.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;

/**
 * Edits of a graph's interface (graph inputs and outputs), which the {@link org.ffnfuse.graph.ir.Rewriter} keeps fixed:
 * the graph is exported, its {@code GraphProto} inputs/outputs edited, and the result read back. Initializer data keeps
 * coming from the original graph ({@link Graph#tensor}).
 */
final class GraphInterfaces {
  /** ONNX {@code TensorProto.DataType.FLOAT}. */
  static final int FLOAT = 1;

  private GraphInterfaces() {}

  /**
   * {@code g} with its interface edited by {@code edit} and re-read.
   *
   * @throws IllegalArgumentException if {@code g} holds initializers added by a rewrite and not yet written (their data
   *     would not survive the round trip): write the graph out and read it back first
   */
  static Graph rebuild(Graph g, Consumer<GraphProto.Builder> edit) {
    ExportedModel e = g.export();
    checkArgument(e.newTensors().isEmpty(), "the graph holds %s initializers added by an earlier rewrite; write it"
        + " out and read it back before changing its inputs or outputs", e.newTensors().size());
    ModelProto.Builder b = e.model().toBuilder();
    edit.accept(b.getGraphBuilder());
    try {
      return Graph.of(b.build(), g::tensor);
    } catch (InvalidGraphException ex) {
      throw new IllegalStateException("interface edit broke the graph (a bug): " + ex.getMessage(), ex);
    }
  }

  /** A float value with the given dims ({@code String} = symbolic, {@code Long} = fixed); empty dims: no shape. */
  static ValueInfoProto floatValue(String name, List<Object> dims) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(FLOAT);
    if (!dims.isEmpty()) {
      TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
      for (Object d : dims) {
        if (d instanceof Long l) {
          s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(l));
        } else {
          s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(d.toString()));
        }
      }
      t.setShape(s);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }

  /** The element type declared for {@code value} (value_info, graph input or output), if any. */
  static Optional<Integer> declaredElemType(Graph g, String value) {
    GraphProto p = g.model().getGraph();
    for (List<ValueInfoProto> l : List.of(p.getValueInfoList(), p.getInputList(), p.getOutputList())) {
      for (ValueInfoProto v : l) {
        if (v.getName().equals(value) && v.getType().hasTensorType() && v.getType().getTensorType().getElemType() != 0) {
          return Optional.of(v.getType().getTensorType().getElemType());
        }
      }
    }
    return Optional.empty();
  }

  /** A {@code Constant} node holding one int64 scalar. */
  static NodeProto longScalar(String name, String output, long value) {
    TensorProto t = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(value)
        .build();
    return NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(output)
        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
            .setT(t))
        .build();
  }

  /** A node of the default domain. */
  static NodeProto node(String op, String name, List<String> inputs, String output) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).build();
  }
}

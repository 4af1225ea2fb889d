package org.ffnfuse.graph.pass;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.InvalidGraphException;

/**
 * Makes chosen intermediate values extra graph outputs, so one run of the model also returns them (activation
 * collection for healing, debugging). Each exposed value {@code v} gets an {@code Identity} node whose output, named as
 * the caller asks, is appended to the graph outputs; nothing else changes, so the original outputs are computed
 * exactly as before.
 *
 * <pre>
 *   before:  … ─ P ─ v ─ consumers
 *   after:   … ─ P ─ v ─ consumers
 *                      └─ Identity ─ out   (new graph output)
 * </pre>
 *
 * <p>The Rewriter keeps a graph's interface fixed, so the pass exports the graph, appends the outputs to the
 * {@code GraphProto} and reads it back; initializer data keeps coming from the input graph ({@link Graph#tensor}).
 * The new outputs declare the element type of the value when the model declares it (value_info), else float, and no
 * shape.
 */
public final class ExposeValues implements Pass {
  /** ONNX {@code TensorProto.DataType.FLOAT}. */
  private static final int FLOAT = 1;

  private final Map<String, String> outputs;

  private ExposeValues(Map<String, String> outputs) {
    this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /**
   * A pass exposing each key (a value of the graph) as a graph output named by its value, in map order.
   *
   * @throws IllegalArgumentException if two values are given the same output name
   */
  public static ExposeValues of(Map<String, String> valueToOutput) {
    checkNotNull(valueToOutput);
    checkArgument(!valueToOutput.isEmpty(), "nothing to expose");
    checkArgument(Set.copyOf(valueToOutput.values()).size() == valueToOutput.size(),
        "output names must be distinct: %s", valueToOutput.values());
    return new ExposeValues(valueToOutput);
  }

  /** Value → output name, in the order the outputs are appended. */
  public Map<String, String> outputs() {
    return outputs;
  }

  @Override
  public String name() {
    return "ExposeValues";
  }

  /**
   * Runs the pass.
   *
   * @throws IllegalArgumentException if a value is not in the graph, an output name is already a value of the graph,
   *     or the graph holds initializers added by an earlier rewrite and not yet written (their data would not survive
   *     the round trip through a {@code ModelProto}: write it out and read it back first)
   */
  @Override
  public PassResult run(Graph g) {
    checkNotNull(g);
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      checkArgument(g.hasValue(e.getKey()), "cannot expose %s: the graph has no such value", e.getKey());
      checkArgument(!g.hasValue(e.getValue()), "cannot expose %s as %s: the graph already has a value of that name",
          e.getKey(), e.getValue());
    }
    ExportedModel exported = g.export();
    checkArgument(exported.newTensors().isEmpty(), "the graph holds %s initializers added by an earlier rewrite;"
        + " write it out and read it back before exposing values", exported.newTensors().size());
    ModelProto.Builder model = exported.model().toBuilder();
    GraphProto.Builder graph = model.getGraphBuilder();
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      String out = e.getValue();
      graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(out + "/expose").addInput(e.getKey())
          .addOutput(out));
      TypeProto.Tensor type = TypeProto.Tensor.newBuilder().setElemType(elemType(g, e.getKey())).build();
      graph.addOutput(ValueInfoProto.newBuilder().setName(out).setType(TypeProto.newBuilder().setTensorType(type)));
    }
    Graph result;
    try {
      result = Graph.of(model.build(), g::tensor);
    } catch (InvalidGraphException ex) {
      throw new IllegalStateException("exposing values broke the graph (a bug): " + ex.getMessage(), ex);
    }
    return new PassResult(result, name() + ": exposed " + outputs.size() + " values as graph outputs");
  }

  /** The element type declared for {@code value} (value_info, graph input or output), else float. */
  private static int elemType(Graph g, String value) {
    GraphProto p = g.model().getGraph();
    for (List<ValueInfoProto> l : List.of(p.getValueInfoList(), p.getInputList(), p.getOutputList())) {
      for (ValueInfoProto v : l) {
        if (v.getName().equals(value) && v.getType().hasTensorType() && v.getType().getTensorType().getElemType() != 0) {
          return v.getType().getTensorType().getElemType();
        }
      }
    }
    return g.initializer(value).map(InitializerInfo::onnxDataType).orElse(FLOAT);
  }
}

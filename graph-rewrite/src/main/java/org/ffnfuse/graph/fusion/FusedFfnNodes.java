package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.graph.ir.TensorProtos;
import org.ffnfuse.graph.pattern.Activation;

/**
 * The operators of a fused FFN, in the standard ONNX domain only (so every ONNX Runtime execution provider runs them):
 *
 * <pre>
 *   gated:  Y = MatMul(act(MatMul(X, Wg) + bg) · (MatMul(X, Wu) + bu), Wd) + bd
 *   MLP:    Y = MatMul(act(MatMul(X, W1) + b1), W2) + b2
 * </pre>
 *
 * Weights are {@code [in, out]} (plain MatMul); if they are stored in another float type than the activations they
 * are Cast first. Activations are spelled as the exporters spell them: SiLU {@code x·Sigmoid(x)}, GELU
 * {@code 0.5x(1+Erf(x/√2))}, tanh-GELU {@code 0.5x(1+Tanh(√(2/π)(x+0.044715x³)))}, quick-GELU {@code x·Sigmoid(1.702x)},
 * ReLU. Used both as the body of the model-local function {@code FusedFFN} and, with {@code --inline}, directly.
 *
 * @param activation the activation
 * @param gated whether there is a gate projection
 * @param compute the float type of the activations (and of biases and constants)
 * @param stored the float type the weight matrices are stored in
 */
record FusedFfnNodes(Activation activation, boolean gated, DType compute, DType stored) {
  /** The custom operator domain of {@code FusedFFN}. */
  static final String DOMAIN = "ai.ffnfuse";
  /** The function's name (op type of the fused node). */
  static final String OP = "FusedFFN";

  FusedFfnNodes {
    checkArgument(compute.convertsToFloat() && stored.convertsToFloat(), "float types needed: %s, %s", compute,
        stored);
  }

  /** Names of the function inputs after {@code X}: gate/up/down (or fc1/fc2) weight then bias. */
  List<String> parameterNames() {
    return gated
        ? List.of("gate_weight", "gate_bias", "up_weight", "up_bias", "down_weight", "down_bias")
        : List.of("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias");
  }

  /**
   * The function {@code DOMAIN.name}: inputs {@code X} and {@link #parameterNames()} (biases always present, zeros
   * where the model has none, so one signature serves every chain), output {@code Y}.
   *
   * @param defaultOpset the model's default-domain opset version (the body uses the same)
   */
  FunctionProto function(String name, long defaultOpset) {
    List<String> p = parameterNames();
    List<Optional<String>> biases = new ArrayList<>();
    for (int i = 1; i < p.size(); i += 2) {
      biases.add(Optional.of(p.get(i)));
    }
    int[] counter = {0};
    UnaryOperator<String> local = hint -> hint + "_" + counter[0]++;
    List<NodeProto> nodes = nodes("X", weights(p), biases, "Y", local, local);
    return FunctionProto.newBuilder().setName(name).setDomain(DOMAIN).addInput("X").addAllInput(p).addOutput("Y")
        .addAllNode(nodes).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(defaultOpset))
        .setDocString("FFNFuse: " + (gated ? "gated FFN, " : "MLP, ") + activation.jsonName()
            + " activation; the parallel sum of a chain of FFNs as one wide FFN (arXiv 2503.18908)")
        .build();
  }

  private static List<String> weights(List<String> p) {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < p.size(); i += 2) {
      w.add(p.get(i));
    }
    return w;
  }

  /**
   * The nodes computing {@code y} from {@code x}.
   *
   * @param weights gate, up, down (or fc1, fc2) weight values
   * @param biases their bias values, empty where there is none
   * @param values makes a fresh value name from a hint
   * @param nodeNames makes a fresh node name from a hint
   */
  List<NodeProto> nodes(String x, List<String> weights, List<Optional<String>> biases, String y,
      UnaryOperator<String> values, UnaryOperator<String> nodeNames) {
    checkArgument(weights.size() == (gated ? 3 : 2) && biases.size() == weights.size(), "%s weights, %s biases",
        weights.size(), biases.size());
    Emitter e = new Emitter(values, nodeNames);
    List<String> w = new ArrayList<>();
    for (String name : weights) {
      w.add(stored == compute ? name : e.cast(name));
    }
    String hidden;
    if (gated) {
      String gate = e.linear(x, w.get(0), biases.get(0), "gate");
      String up = e.linear(x, w.get(1), biases.get(1), "up");
      hidden = e.op("Mul", "gated", e.activation(gate), up);
    } else {
      hidden = e.activation(e.linear(x, w.get(0), biases.get(0), "fc1"));
    }
    int last = w.size() - 1;
    String out = e.linear(hidden, w.get(last), biases.get(last), "down");
    e.rename(out, y);
    return e.nodes;
  }

  /** Appends nodes, naming each value and node from hints. */
  private final class Emitter {
    final List<NodeProto> nodes = new ArrayList<>();
    final UnaryOperator<String> values;
    final UnaryOperator<String> nodeNames;

    Emitter(UnaryOperator<String> values, UnaryOperator<String> nodeNames) {
      this.values = values;
      this.nodeNames = nodeNames;
    }

    String op(String type, String hint, String... inputs) {
      String out = values.apply(hint);
      nodes.add(NodeProto.newBuilder().setOpType(type).setName(nodeNames.apply(type)).addAllInput(List.of(inputs))
          .addOutput(out).build());
      return out;
    }

    String cast(String w) {
      String out = values.apply("weight_" + compute.name().toLowerCase(java.util.Locale.ROOT));
      nodes.add(NodeProto.newBuilder().setOpType("Cast").setName(nodeNames.apply("Cast")).addInput(w).addOutput(out)
          .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
              .setI(compute.onnxCode()))
          .build());
      return out;
    }

    String constant(double v, String hint) {
      String out = values.apply(hint);
      TensorProto t;
      try {
        t = TensorProtos.embed(hint, HeapTensor.ofFloats(compute, Shape.of(), new float[] {(float) v}));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex); // heap tensors do not fail
      }
      nodes.add(NodeProto.newBuilder().setOpType("Constant").setName(nodeNames.apply("Constant")).addOutput(out)
          .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
              .setT(t))
          .build());
      return out;
    }

    String linear(String in, String w, Optional<String> bias, String hint) {
      String mm = op("MatMul", hint, in, w);
      return bias.isPresent() ? op("Add", hint + "_biased", mm, bias.get()) : mm;
    }

    String activation(String a) {
      return switch (activation) {
        case SILU -> op("Mul", "silu", a, op("Sigmoid", "sigmoid", a));
        case QUICK_GELU -> op("Mul", "quick_gelu", a,
            op("Sigmoid", "sigmoid", op("Mul", "scaled", a, constant(1.702, "k"))));
        case RELU -> op("Relu", "relu", a);
        case IDENTITY -> op("Identity", "identity", a);
        case GELU -> {
          String erf = op("Erf", "erf", op("Mul", "scaled", a, constant(1 / Math.sqrt(2), "inv_sqrt2")));
          yield halfTimesOnePlus(a, erf);
        }
        case GELU_TANH -> {
          String cube = op("Mul", "cube", op("Mul", "square", a, a), a);
          String inner = op("Add", "inner", a, op("Mul", "cubic_term", cube, constant(0.044715, "c")));
          String tanh = op("Tanh", "tanh", op("Mul", "scaled", inner, constant(Math.sqrt(2 / Math.PI), "k")));
          yield halfTimesOnePlus(a, tanh);
        }
      };
    }

    /** {@code 0.5·a·(1 + t)}. */
    private String halfTimesOnePlus(String a, String t) {
      String onePlus = op("Add", "one_plus", t, constant(1, "one"));
      return op("Mul", "gelu", op("Mul", "half_a", a, constant(0.5, "half")), onePlus);
    }

    /** Makes the last node's output {@code name} instead of {@code value}. */
    void rename(String value, String name) {
      NodeProto last = nodes.get(nodes.size() - 1);
      checkArgument(last.getOutput(0).equals(value), "the last node produces %s, not %s", last.getOutput(0), value);
      nodes.set(nodes.size() - 1, last.toBuilder().setOutput(0, name).build());
    }
  }
}

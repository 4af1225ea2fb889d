package org.ffnfuse.converters.export.graph;

import static org.ffnfuse.converters.export.graph.GraphBuilder.attr;
import static org.ffnfuse.converters.export.graph.GraphBuilder.attrs;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.converters.export.model.NormWeights;
import org.ffnfuse.formats.config.Activation;
import org.ffnfuse.formats.config.NormConfig;
import org.ffnfuse.formats.config.NormKind;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.RowBlockTensor;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;

/**
 * The building blocks every family shares: linear layers with pre-transposed weights, RMSNorm / LayerNorm,
 * activations and FFNs. Activations are fp32; large weights are stored in {@code weightType} and cast to fp32 in the
 * graph (ONNX Runtime folds the cast at load time); norm gains and biases are always fp32.
 */
final class Layers {
  private final GraphBuilder g;
  private final DType weightType;

  Layers(GraphBuilder g, DType weightType) {
    this.g = g;
    this.weightType = weightType;
  }

  GraphBuilder graph() {
    return g;
  }

  /** {@code scope} → {@code model.layers.3.mlp.down_proj} (initializer prefix). */
  static String initName(String scope) {
    return scope.substring(1).replace('/', '.');
  }

  /** A large weight as an fp32 value: stored in the weight dtype, cast to fp32 if that is not fp32. */
  String weight(String name, Tensor t, String scope) {
    String init = g.initializer(name, Tensors.converted(t, weightType));
    return castToFloat(init, scope);
  }

  private String castToFloat(String value, String scope) {
    return weightType == DType.F32 ? value : g.op("Cast", scope, List.of(value), attr("to", GraphBuilder.FLOAT));
  }

  /** A small vector (norm gain, bias) stored as fp32, optionally with a constant added (Gemma's {@code 1 + w}). */
  String vector(String name, Tensor t, double offset) {
    Tensor v = offset == 0 ? Tensors.converted(t, DType.F32) : new RowBlockTensor(DType.F32, t.shape()) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        float[] w = t.toFloats(firstRow * cols(), n * cols());
        for (int i = 0; i < w.length; i++) {
          out[i] = (float) offset + w[i]; // fp32 add, as 1.0 + weight.float() in PyTorch
        }
      }
    };
    return g.initializer(name, v);
  }

  /** {@code x·W (+ b)}: MatMul against the weight pre-transposed to {@code [in, out]} while it is written. */
  String linear(String scope, String x, Linear l) {
    String name = initName(scope);
    Tensor w = l.inputMajor() ? Tensors.converted(l.weight(), weightType)
        : Tensors.transposed(l.weight(), weightType);
    String init = g.initializer(name + ".weight", w);
    String y = g.op("MatMul", scope, List.of(x, castToFloat(init, scope)));
    if (l.bias().isPresent()) {
      y = g.op("Add", scope, List.of(y, vector(name + ".bias", l.bias().get(), 0)));
    }
    return y;
  }

  /** A norm over the last axis. */
  String norm(String scope, String x, NormWeights w, NormConfig cfg) {
    String name = initName(scope);
    if (cfg.kind() == NormKind.LAYER) {
      String gain = vector(name + ".weight", w.weight(), cfg.weightOffset());
      List<String> in = w.bias().isPresent() ? List.of(x, gain, vector(name + ".bias", w.bias().get(), 0))
          : List.of(x, gain);
      return g.op("LayerNormalization", scope, in, attr("axis", -1), attr("epsilon", (float) cfg.eps()));
    }
    String y = rmsNormalize(scope, x, (float) cfg.eps());
    return g.op("Mul", scope, List.of(y, vector(name + ".weight", w.weight(), cfg.weightOffset())));
  }

  /** {@code x / sqrt(mean(x²) + eps)} over the last axis (RMSNorm without its gain), in fp32. */
  String rmsNormalize(String scope, String x, float eps) {
    String sq = g.op("Mul", scope, List.of(x, x));
    String mean = g.op("ReduceMean", scope, List.of(sq), attrs("axes", -1), attr("keepdims", 1));
    String std = g.op("Sqrt", scope, List.of(g.op("Add", scope, List.of(mean, g.scalarFloat(eps)))));
    return g.op("Mul", scope, List.of(x, g.op("Reciprocal", scope, List.of(std))));
  }

  /** The activation function, decomposed into standard operators. */
  String activation(String scope, String x, Activation a) {
    return switch (a) {
      case SILU -> g.op("Mul", scope, List.of(x, g.op("Sigmoid", scope, List.of(x))));
      case RELU -> g.op("Relu", scope, List.of(x));
      case GELU -> {
        // 0.5·x·(1 + erf(x/√2))
        String erf = g.op("Erf", scope, List.of(g.op("Div", scope, List.of(x, g.scalarFloat((float) Math.sqrt(2))))));
        String onePlus = g.op("Add", scope, List.of(erf, g.scalarFloat(1f)));
        yield g.op("Mul", scope, List.of(g.op("Mul", scope, List.of(x, g.scalarFloat(0.5f))), onePlus));
      }
      case GELU_TANH -> {
        // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        String cube = g.op("Mul", scope, List.of(g.op("Mul", scope, List.of(x, x)), x));
        String inner = g.op("Add", scope, List.of(x, g.op("Mul", scope, List.of(cube, g.scalarFloat(0.044715f)))));
        String t = g.op("Tanh", scope, List.of(g.op("Mul", scope,
            List.of(inner, g.scalarFloat((float) Math.sqrt(2 / Math.PI))))));
        String onePlus = g.op("Add", scope, List.of(t, g.scalarFloat(1f)));
        yield g.op("Mul", scope, List.of(g.op("Mul", scope, List.of(x, g.scalarFloat(0.5f))), onePlus));
      }
    };
  }

  /** A gated ({@code gate_proj/up_proj/down_proj}) or plain ({@code up_proj/down_proj}) FFN in scope {@code .../mlp}. */
  String ffn(String scope, String x, FfnWeights w, Activation a) {
    Optional<Linear> gate = w.gate();
    String inner;
    if (gate.isPresent()) {
      String gated = activation(scope + "/act_fn", linear(scope + "/gate_proj", x, gate.get()), a);
      inner = g.op("Mul", scope, List.of(gated, linear(scope + "/up_proj", x, w.up())));
    } else {
      inner = activation(scope + "/act_fn", linear(scope + "/up_proj", x, w.up()), a);
    }
    return linear(scope + "/down_proj", inner, w.down());
  }
}

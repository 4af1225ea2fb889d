package org.ffnfuse.graph.pattern;

import java.util.function.DoubleUnaryOperator;

/** Element-wise activation functions FFNs use, with their exact definitions (for numeric identification). */
public enum Activation {
  /** {@code x·σ(x)} (SiLU / Swish). */
  SILU("silu", x -> x / (1 + Math.exp(-x))),
  /** {@code x·Φ(x)} with the exact erf. */
  GELU("gelu", x -> 0.5 * x * (1 + Activations.erf(x / Math.sqrt(2)))),
  /** {@code 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))} ({@code gelu_pytorch_tanh}, {@code gelu_new}, FastGelu). */
  GELU_TANH("gelu_tanh", x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
  /** {@code x·σ(1.702x)}. */
  QUICK_GELU("quick_gelu", x -> x / (1 + Math.exp(-1.702 * x))),
  RELU("relu", x -> Math.max(0, x)),
  /** No function (the value itself). */
  IDENTITY("identity", x -> x);

  private final String jsonName;
  private final DoubleUnaryOperator f;

  Activation(String jsonName, DoubleUnaryOperator f) {
    this.jsonName = jsonName;
    this.f = f;
  }

  /** Lower-case name as in HF configs' {@code hidden_act} (roughly) and in JSON summaries. */
  public String jsonName() {
    return jsonName;
  }

  public double apply(double x) {
    return f.applyAsDouble(x);
  }
}

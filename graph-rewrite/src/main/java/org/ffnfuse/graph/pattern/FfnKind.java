package org.ffnfuse.graph.pattern;

/** The kind of feed-forward block. */
public enum FfnKind {
  /** {@code down(silu(gate(x)) · up(x))}. */
  SWIGLU("swiglu"),
  /** {@code down(gelu(gate(x)) · up(x))}, erf or tanh GELU. */
  GEGLU("geglu"),
  /** {@code down(relu(gate(x)) · up(x))}. */
  REGLU("reglu"),
  /** {@code fc2(gelu(fc1(x)))}, usually with biases. */
  GELU_MLP("gelu-mlp"),
  /** {@code fc2(relu(fc1(x)))}. */
  RELU_MLP("relu-mlp"),
  /** {@code fc2(silu(fc1(x)))}. */
  SILU_MLP("silu-mlp");

  private final String jsonName;

  FfnKind(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** Whether the FFN multiplies an activated gate with an up projection. */
  public boolean gated() {
    return this == SWIGLU || this == GEGLU || this == REGLU;
  }
}

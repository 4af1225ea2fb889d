package org.ffnfuse.graph.pattern;

/** What a normalization computes. */
public enum NormKind {
  /** {@code x / sqrt(mean(x²) + eps) · g}. */
  RMS_NORM("rmsnorm"),
  /** {@code (x − mean(x)) / sqrt(var(x) + eps) · g + b}. */
  LAYER_NORM("layernorm");

  private final String jsonName;

  NormKind(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}

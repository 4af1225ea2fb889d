package org.ffnfuse.graph.fusion;

/** The normalisation in front of a residual branch. */
public enum NormKind {
  /** {@code x / sqrt(mean(x²) + eps) · g}. */
  RMS_NORM,
  /** {@code (x − mean) / sqrt(var + eps) · g + b}. */
  LAYER_NORM
}

package org.ffnfuse.formats.config;

/** Normalization layer kind. */
public enum NormKind {
  /** {@code x / sqrt(mean(x²) + eps) · (offset + w)}. */
  RMS,
  /** {@code (x − mean) / sqrt(var + eps) · w + b}. */
  LAYER
}

package org.ffnfuse.formats.config;

/** Normalization of queries and keys before rotary embedding. */
public enum QkNorm {
  NONE,
  /** Qwen3: RMSNorm over each head's {@code head_dim} channels, one gain vector of size {@code head_dim}. */
  PER_HEAD,
  /** OLMo-2: RMSNorm over the whole projection output ({@code heads × head_dim}). */
  FULL
}

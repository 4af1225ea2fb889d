package org.ffnfuse.formats.config;

/** Where a block's norms sit relative to its residual branches. */
public enum ResidualLayout {
  /** {@code x += attn(norm₁(x)); x += ffn(norm₂(x))} (Llama and most others). */
  PRE_NORM,
  /** OLMo-2: {@code x += norm₁(attn(x)); x += norm₂(ffn(x))}. */
  POST_NORM,
  /** Gemma-2: {@code x += postnorm₁(attn(norm₁(x))); x += postnorm₂(ffn(norm₂(x)))}. */
  SANDWICH,
  /** GPT-NeoX {@code use_parallel_residual}: {@code x += attn(norm₁(x)) + ffn(norm₂(x))}. */
  PARALLEL
}

package org.ffnfuse.formats.config;

/** What a block's feed-forward sub-block is. */
public enum FfnKind {
  /** {@code down(act(gate(x)) · up(x))}: SwiGLU, GeGLU. */
  GATED,
  /** {@code fc2(act(fc1(x)))}: GPT-2, GPT-NeoX. */
  PLAIN,
  /** nemotron-nas {@code replace_with_linear}: one bias-free {@code hidden×hidden} linear layer, after the norm. */
  LINEAR,
  /** nemotron-nas {@code no_op}: no FFN, no FFN norm. */
  NONE
}

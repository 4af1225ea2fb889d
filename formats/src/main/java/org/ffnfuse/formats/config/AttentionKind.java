package org.ffnfuse.formats.config;

/** What a block's attention sub-block is. */
public enum AttentionKind {
  /** Multi-head (or grouped-query) causal self-attention. */
  FULL,
  /** nemotron-nas {@code replace_with_linear}: one bias-free {@code hidden×hidden} linear layer, after the norm. */
  LINEAR,
  /** nemotron-nas {@code no_op}: no attention, no attention norm. */
  NONE
}

package org.ffnfuse.graph.analysis;

/** The two kinds of residual branch of a transformer block. */
public enum BranchKind {
  /** The attention sub-block (gate entry {@code 2i}). */
  ATTENTION("attn", 0),
  /** The FFN sub-block (gate entry {@code 2i + 1}). */
  FFN("ffn", 1);

  private final String suffix;
  private final int offset;

  BranchKind(String suffix, int offset) {
    this.suffix = suffix;
    this.offset = offset;
  }

  /** {@code attn} or {@code ffn}: the suffix of the branch's output name. */
  public String suffix() {
    return suffix;
  }

  /** Index of block {@code block}'s gate of this kind in {@code ffnfuse_branch_gates}: {@code 2·block + offset}. */
  public int gateIndex(int block) {
    return 2 * block + offset;
  }
}

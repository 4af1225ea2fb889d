package org.ffnfuse.graph.analysis;

/**
 * One gated residual branch of an {@link AnalysisGraph}.
 *
 * @param block the block index, from 0
 * @param kind attention or FFN
 * @param gateIndex its entry in {@code ffnfuse_branch_gates} ({@link BranchKind#gateIndex})
 * @param value the branch's value in the graph (already multiplied by its gate), as added to the residual stream
 * @param output the graph output exposing it, {@code ffnfuse_branch.{block}.{attn|ffn}}, shape {@code [B, T, H]}
 */
public record BranchOutput(int block, BranchKind kind, int gateIndex, String value, String output) {
  /** The output name of block {@code block}'s branch of kind {@code kind}. */
  public static String outputName(int block, BranchKind kind) {
    return "ffnfuse_branch." + block + "." + kind.suffix();
  }
}

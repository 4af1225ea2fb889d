package org.ffnfuse.converters.analysis;

/**
 * A chain of FFNs to fuse with its dependency scores.
 *
 * @param first first block
 * @param last last block (inclusive)
 * @param maxDependency {@code M_max}: the largest {@code M[i][j]}, {@code first ≤ i < j ≤ last}
 * @param sumDependency {@code M_sum}: the sum of those entries
 */
public record PlannedChain(int first, int last, double maxDependency, double sumDependency) {
  /** FFNs in the chain. */
  public int length() {
    return last - first + 1;
  }
}

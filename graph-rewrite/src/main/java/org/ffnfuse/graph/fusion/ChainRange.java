package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Blocks {@code first..last} (inclusive, 0-based) whose FFNs are fused into one. Block {@code first} may keep its
 * attention (it runs before the fused FFN); the blocks after it must have none.
 */
public record ChainRange(int first, int last) implements Comparable<ChainRange> {
  public ChainRange {
    checkArgument(first >= 0 && last >= first, "chain %s-%s: need 0 ≤ first ≤ last", first, last);
  }

  /** Number of FFNs in the chain. */
  public int length() {
    return last - first + 1;
  }

  public boolean contains(int block) {
    return first <= block && block <= last;
  }

  public boolean overlaps(ChainRange o) {
    return first <= o.last && o.first <= last;
  }

  @Override
  public int compareTo(ChainRange o) {
    return Integer.compare(first, o.first);
  }

  /** {@code 8-13}. */
  @Override
  public String toString() {
    return first + "-" + last;
  }
}

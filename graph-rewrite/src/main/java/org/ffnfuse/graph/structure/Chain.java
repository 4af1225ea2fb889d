package org.ffnfuse.graph.structure;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;

/**
 * A maximal run of at least two consecutive FFNs with no attention between them, by block index: blocks
 * {@code first..last} all have an FFN, and none after {@code first} has attention (block {@code first} may).
 *
 * @param first first block of the chain
 * @param last last block (inclusive)
 */
public record Chain(int first, int last) {
  public Chain {
    checkArgument(first >= 0 && last > first, "a chain needs at least two blocks: %s..%s", first, last);
  }

  /** Number of FFNs in the chain. */
  public int length() {
    return last - first + 1;
  }

  /** The chains of {@code blocks} (indexed 0..n-1 in order). */
  public static List<Chain> of(List<Block> blocks) {
    List<Chain> chains = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= blocks.size(); i++) {
      Block b = i < blocks.size() ? blocks.get(i) : null;
      boolean continues = b != null && start >= 0 && b.ffn().isPresent() && b.attention().isEmpty();
      if (continues) {
        continue;
      }
      if (start >= 0 && i - 1 > start) {
        chains.add(new Chain(start, i - 1));
      }
      start = b != null && b.ffn().isPresent() ? i : -1;
    }
    return chains;
  }
}

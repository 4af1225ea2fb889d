package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedSet;
import java.util.Set;
import java.util.SortedSet;
import org.ffnfuse.converters.fuse.AttentionRemoval;

/**
 * The {@code drop_attention:} section: which attention sub-blocks to remove before fusing, either named
 * ({@link Blocks}) or chosen by attention importance on the calibration text ({@link Auto}).
 *
 * <pre>{@code
 * drop_attention:
 *   blocks: "8-14"      # explicit: block ranges, e.g. "8-14" or "3,5,8-10"
 * # or
 * drop_attention:
 *   auto: 7             # remove the 7 least important attention sub-blocks (needs calibration)
 *   contiguous: true    # prefer one contiguous run (default false; only with auto)
 * }</pre>
 */
public sealed interface DropAttentionStep permits DropAttentionStep.Blocks, DropAttentionStep.Auto {

  /**
   * Named blocks (key {@code blocks}).
   *
   * @param blocks block indices, ascending
   */
  record Blocks(SortedSet<Integer> blocks) implements DropAttentionStep {
    public Blocks {
      checkArgument(!blocks.isEmpty(), "no blocks");
      checkArgument(blocks.stream().allMatch(b -> b >= 0), "negative block index in %s", blocks);
      blocks = ImmutableSortedSet.copyOf(blocks);
    }

    /** Parses {@code 8-14} or {@code 3,5,8-10}. */
    public static Blocks parse(String spec) {
      return new Blocks(ImmutableSortedSet.copyOf(AttentionRemoval.parseBlocks(spec)));
    }

    /** The blocks as a set. */
    public Set<Integer> asSet() {
      return blocks;
    }
  }

  /**
   * The {@code count} least important attention sub-blocks (keys {@code auto}, {@code contiguous}).
   *
   * @param count how many to remove (≥ 1)
   * @param contiguous prefer one contiguous run of blocks
   */
  record Auto(int count, boolean contiguous) implements DropAttentionStep {
    public Auto {
      checkArgument(count >= 1, "drop_attention.auto must be ≥ 1: %s", count);
    }
  }
}

package org.ffnfuse.graph.fusion;

import java.util.List;

/**
 * The result of fusing a chain: one norm with unit effective gain (and zero bias) and one wide FFN whose weights are
 * lazy tensors computed from the members' when written.
 *
 * @param block the fused block
 * @param memberWidths each member's intermediate width, in chain order (the fused width is their sum plus padding)
 * @param padding zero rows/columns appended to reach a requested width (exact: they contribute nothing)
 */
public record FusedFfn(FfnBlock block, List<Long> memberWidths, long padding) {
  public FusedFfn {
    memberWidths = List.copyOf(memberWidths);
  }

  /** The fused intermediate width. */
  public long width() {
    return block.ffn().width();
  }
}

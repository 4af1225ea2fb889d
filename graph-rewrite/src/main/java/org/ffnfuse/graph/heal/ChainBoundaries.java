package org.ffnfuse.graph.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.pattern.NormForm;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.TransformerStructure;

/**
 * Finds, for chains of a recognized model, the residual stream values entering and leaving each chain: the input of
 * the first FFN's norm, and the input of the first norm after the last FFN (the next block's attention or FFN norm, or
 * the final norm). In a pre-norm model these are exactly the stream before the chain's first FFN and after its last.
 *
 * <pre>
 *   x ─┬──────────────────── + ─ … ─┬──────────────────── + ─ y ─┬─ next norm
 *      └─ norm ─ FFN(first) ─┘      └─ norm ─ FFN(last) ──┘      └─ …
 * </pre>
 *
 * <p>Norms fused with the residual add (Skip*Normalization) stand for the stream through their sum output; such a norm
 * without an exposed sum has no value holding the stream, and is refused.
 */
public final class ChainBoundaries {
  private ChainBoundaries() {}

  /**
   * The boundaries of {@code chains} in {@code s}.
   *
   * @throws IllegalArgumentException if a chain leaves the model, a block of it has no FFN, a block after its first
   *     has attention, a block has a parallel residual, or a stream value is hidden inside a fused skip norm
   */
  public static List<ChainBoundary> of(TransformerStructure s, List<ChainRange> chains) {
    checkNotNull(s);
    List<ChainBoundary> out = new ArrayList<>();
    int n = s.blocks().size();
    for (ChainRange c : chains) {
      checkArgument(c.last() < n, "chain %s leaves the model (blocks 0-%s)", c, n - 1);
      for (int b = c.first(); b <= c.last(); b++) {
        Block block = s.block(b);
        checkArgument(block.ffn().isPresent(), "chain %s: block %s has no FFN", c, b);
        checkArgument(!block.parallelResidual(), "chain %s: block %s has a parallel residual (attention and FFN read"
            + " the same stream), so its FFN input is not a chain boundary", c, b);
        checkArgument(b == c.first() || block.attention().isEmpty(), "chain %s: block %s has attention; only the"
            + " chain's first block may", c, b);
      }
      String in = streamInto(s.block(c.first()).ffn().get().norm(), "FFN norm of block " + c.first());
      String after;
      if (c.last() + 1 < n) {
        Block next = s.block(c.last() + 1);
        NormMatch norm = next.attention().isPresent() ? next.attention().get().norm()
            : next.ffn().map(f -> f.norm()).orElseThrow(() -> new IllegalArgumentException("block "
                + next.index() + " has neither attention nor FFN; cannot find the stream after chain " + c));
        after = streamInto(norm, "first norm of block " + next.index());
      } else {
        after = streamInto(s.finalNorm(), "final norm");
      }
      out.add(new ChainBoundary(c, in, after));
    }
    return out;
  }

  /** The residual stream value a norm normalizes. */
  private static String streamInto(NormMatch norm, String what) {
    if (norm.form() != NormForm.SKIP_OPERATOR) {
      return norm.input();
    }
    return norm.sum().orElseThrow(() -> new IllegalArgumentException("the " + what + " is a "
        + norm.nodes().get(0).opType() + " that adds the residual without exposing the sum (output 3); the stream"
        + " entering it is not a value of the graph"));
  }
}

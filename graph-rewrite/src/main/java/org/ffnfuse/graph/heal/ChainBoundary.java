package org.ffnfuse.graph.heal;

import static com.google.common.base.Preconditions.checkNotNull;

import org.ffnfuse.graph.fusion.ChainRange;

/**
 * Where a chain of FFNs meets the residual stream in a recognized graph.
 *
 * @param chain the chain (block indices of the graph it was found in)
 * @param input the residual stream entering the norm of block {@code first}'s FFN (after that block's attention, if
 *     any)
 * @param output the residual stream after block {@code last} (entering the next block's first norm, or the final norm)
 */
public record ChainBoundary(ChainRange chain, String input, String output) {
  public ChainBoundary {
    checkNotNull(chain);
    checkNotNull(input);
    checkNotNull(output);
  }
}

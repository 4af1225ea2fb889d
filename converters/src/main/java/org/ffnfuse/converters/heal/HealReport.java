package org.ffnfuse.converters.heal;

import java.util.List;
import org.ffnfuse.graph.fusion.ChainRange;

/**
 * What {@link Healing#heal} did.
 *
 * @param method the method used
 * @param backend {@code lstsq} or the distillation backend's name
 * @param tokens token vectors collected per chain
 * @param chains one entry per healed chain
 * @param collectSeconds time to export (if needed) and run the original model
 * @param fitSeconds time spent fitting, all chains
 * @param writeSeconds time to write the healed model
 */
public record HealReport(HealMethod method, String backend, int tokens, List<Chain> chains, double collectSeconds,
    double fitSeconds, double writeSeconds) {
  public HealReport {
    chains = List.copyOf(chains);
  }

  /**
   * One healed chain.
   *
   * @param chain the chain, by block index of the original model
   * @param fusedBlock the block of the fused model that replaces it
   * @param width the fused FFN's width
   * @param trainTokens tokens fitted on
   * @param heldOutTokens tokens measured on
   * @param heldOutBefore relative error {@code Σ‖y − x − F(x)‖² / Σ‖y − x‖²} of the fused block on held-out tokens
   * @param heldOutAfter the same after healing
   * @param detail what the method chose (λ, scales, steps)
   * @param seconds fitting time
   */
  public record Chain(ChainRange chain, int fusedBlock, long width, int trainTokens, int heldOutTokens,
      double heldOutBefore, double heldOutAfter, String detail, double seconds) {}
}

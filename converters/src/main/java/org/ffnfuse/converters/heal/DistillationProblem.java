package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One fused block to train.
 *
 * @param initial the fused block (starting point; its norm stays fixed)
 * @param train tokens to train on
 * @param heldOut tokens for early stopping and the reported error
 * @param options training settings
 */
public record DistillationProblem(FusedBlockParameters initial, ChainSamples train, ChainSamples heldOut,
    DistillationOptions options) {
  public DistillationProblem {
    checkNotNull(initial);
    checkNotNull(options);
    checkArgument(train.hidden() == initial.hidden() && heldOut.hidden() == initial.hidden(),
        "samples of hidden %s/%s for a block of hidden %s", train.hidden(), heldOut.hidden(), initial.hidden());
    checkArgument(train.count() > 0 && heldOut.count() > 0, "need training and held-out tokens (%s, %s)",
        train.count(), heldOut.count());
  }
}

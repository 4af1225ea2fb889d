package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * What {@link ActivationCollector} gathered.
 *
 * @param samples each chain's token vectors, in chain order
 * @param memberWidths each chain's FFN widths in the original model, in block order
 * @param blocks number of blocks of the original model
 */
public record CollectedChains(List<ChainSamples> samples, List<List<Long>> memberWidths, int blocks) {
  public CollectedChains {
    samples = List.copyOf(samples);
    memberWidths = memberWidths.stream().map(List::copyOf).toList();
    checkArgument(samples.size() == memberWidths.size(), "%s samples for %s chains", samples.size(),
        memberWidths.size());
  }
}

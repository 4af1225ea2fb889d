package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How every norm of the model normalizes.
 *
 * @param kind RMSNorm or LayerNorm
 * @param eps the epsilon added to the variance
 * @param weightOffset added to the stored gain before multiplying: 1 for Gemma's {@code x·(1+w)}, else 0
 */
public record NormConfig(NormKind kind, double eps, double weightOffset) {
  public NormConfig {
    checkNotNull(kind);
    checkArgument(eps >= 0 && Double.isFinite(eps), "eps %s", eps);
  }
}

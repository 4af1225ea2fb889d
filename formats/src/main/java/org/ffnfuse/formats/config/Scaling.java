package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.OptionalDouble;

/**
 * Constant factors some families apply (Granite's multipliers, Gemma's embedding scale, Gemma-2's soft caps).
 *
 * @param embeddingMultiplier token embeddings are multiplied by this (Gemma: {@code sqrt(hidden)})
 * @param residualMultiplier each residual branch output is multiplied by this before it is added (Granite)
 * @param logitsDivisor logits are divided by this (Granite {@code logits_scaling})
 * @param attentionSoftcap attention scores become {@code c·tanh(s/c)} before masking (Gemma-2), if present
 * @param finalLogitSoftcap logits become {@code c·tanh(l/c)} (Gemma-2), if present
 */
public record Scaling(double embeddingMultiplier, double residualMultiplier, double logitsDivisor,
    OptionalDouble attentionSoftcap, OptionalDouble finalLogitSoftcap) {
  public Scaling {
    checkArgument(logitsDivisor != 0, "logits divisor 0");
    checkNotNull(attentionSoftcap);
    checkNotNull(finalLogitSoftcap);
  }

  /** All factors 1, no caps. */
  public static Scaling identity() {
    return new Scaling(1, 1, 1, OptionalDouble.empty(), OptionalDouble.empty());
  }
}

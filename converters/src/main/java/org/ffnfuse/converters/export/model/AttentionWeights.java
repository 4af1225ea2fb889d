package org.ffnfuse.converters.export.model;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * Full attention's projections, always as separate q, k, v (fused checkpoints are split lazily by their family
 * layout), and the optional query/key norms (Qwen3 per head, OLMo-2 over the whole projection).
 */
public record AttentionWeights(Linear q, Linear k, Linear v, Linear o, Optional<NormWeights> qNorm,
    Optional<NormWeights> kNorm) {
  public AttentionWeights {
    checkNotNull(q);
    checkNotNull(k);
    checkNotNull(v);
    checkNotNull(o);
    checkNotNull(qNorm);
    checkNotNull(kNorm);
  }

  public static AttentionWeights of(Linear q, Linear k, Linear v, Linear o) {
    return new AttentionWeights(q, k, v, o, Optional.empty(), Optional.empty());
  }
}

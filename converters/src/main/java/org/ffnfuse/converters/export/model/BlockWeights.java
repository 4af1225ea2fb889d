package org.ffnfuse.converters.export.model;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * One block's weights. Which fields are present follows the block's
 * {@link org.ffnfuse.formats.config.BlockConfig} and the model's {@link org.ffnfuse.formats.config.ResidualLayout};
 * {@link ExportModel} checks the combination.
 *
 * @param attentionNorm the norm before attention (pre-norm, sandwich, parallel) — absent for OLMo-2 and no-op attention
 * @param attention q/k/v/o for full attention
 * @param linearAttention nemotron-nas {@code replace_with_linear} attention
 * @param postAttentionNorm the norm after attention (OLMo-2 post-norm, Gemma-2 sandwich)
 * @param ffnNorm the norm before the FFN
 * @param ffn the FFN's projections
 * @param linearFfn nemotron-nas {@code replace_with_linear} FFN
 * @param postFfnNorm the norm after the FFN (OLMo-2, Gemma-2)
 */
public record BlockWeights(
    Optional<NormWeights> attentionNorm,
    Optional<AttentionWeights> attention,
    Optional<Linear> linearAttention,
    Optional<NormWeights> postAttentionNorm,
    Optional<NormWeights> ffnNorm,
    Optional<FfnWeights> ffn,
    Optional<Linear> linearFfn,
    Optional<NormWeights> postFfnNorm) {
  public BlockWeights {
    checkNotNull(attentionNorm);
    checkNotNull(attention);
    checkNotNull(linearAttention);
    checkNotNull(postAttentionNorm);
    checkNotNull(ffnNorm);
    checkNotNull(ffn);
    checkNotNull(linearFfn);
    checkNotNull(postFfnNorm);
  }

  /** A builder with every part absent. */
  public static Builder builder() {
    return new Builder();
  }

  /** Fills a {@link BlockWeights} part by part. */
  public static final class Builder {
    private Optional<NormWeights> attentionNorm = Optional.empty();
    private Optional<AttentionWeights> attention = Optional.empty();
    private Optional<Linear> linearAttention = Optional.empty();
    private Optional<NormWeights> postAttentionNorm = Optional.empty();
    private Optional<NormWeights> ffnNorm = Optional.empty();
    private Optional<FfnWeights> ffn = Optional.empty();
    private Optional<Linear> linearFfn = Optional.empty();
    private Optional<NormWeights> postFfnNorm = Optional.empty();

    private Builder() {}

    public Builder attentionNorm(NormWeights n) {
      attentionNorm = Optional.of(n);
      return this;
    }

    public Builder attention(AttentionWeights a) {
      attention = Optional.of(a);
      return this;
    }

    public Builder linearAttention(Linear l) {
      linearAttention = Optional.of(l);
      return this;
    }

    public Builder postAttentionNorm(NormWeights n) {
      postAttentionNorm = Optional.of(n);
      return this;
    }

    public Builder ffnNorm(NormWeights n) {
      ffnNorm = Optional.of(n);
      return this;
    }

    public Builder ffn(FfnWeights f) {
      ffn = Optional.of(f);
      return this;
    }

    public Builder linearFfn(Linear l) {
      linearFfn = Optional.of(l);
      return this;
    }

    public Builder postFfnNorm(NormWeights n) {
      postFfnNorm = Optional.of(n);
      return this;
    }

    public BlockWeights build() {
      return new BlockWeights(attentionNorm, attention, linearAttention, postAttentionNorm, ffnNorm, ffn, linearFfn,
          postFfnNorm);
    }
  }
}

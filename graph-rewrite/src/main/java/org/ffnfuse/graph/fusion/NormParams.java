package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;
import java.util.Optional;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A norm's parameters as stored: the effective gain is {@code gain + gainOffset} (Gemma stores {@code w} and computes
 * {@code 1 + w}, so its offset is 1; everyone else's is 0).
 *
 * @param kind RMSNorm or LayerNorm
 * @param eps the epsilon added to the variance / mean square
 * @param gain stored gain, shape {@code [hidden]}
 * @param gainOffset added to the stored gain when applied
 * @param bias LayerNorm's bias, shape {@code [hidden]}; empty for RMSNorm or bias-free LayerNorm
 */
public record NormParams(NormKind kind, double eps, Tensor gain, float gainOffset, Optional<Tensor> bias) {
  public NormParams {
    Objects.requireNonNull(kind);
    Objects.requireNonNull(gain);
    Objects.requireNonNull(bias);
    checkArgument(gain.shape().rank() == 1, "norm gain must be 1-D, got %s", gain.shape());
    checkArgument(kind == NormKind.LAYER_NORM || bias.isEmpty(), "RMSNorm has no bias");
  }

  /** Hidden size. */
  public long hidden() {
    return gain.shape().dim(0);
  }
}

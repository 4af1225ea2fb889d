package org.ffnfuse.converters.export.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A norm's parameters as stored (Gemma's gain is the stored {@code w}; the {@code 1+} comes from the config).
 *
 * @param weight gain {@code [n]}
 * @param bias LayerNorm bias {@code [n]}, if any
 */
public record NormWeights(Tensor weight, Optional<Tensor> bias) {
  public NormWeights {
    checkNotNull(weight);
    checkNotNull(bias);
    checkArgument(weight.shape().rank() == 1, "norm weight must be 1-D, got %s", weight.shape());
    bias.ifPresent(b -> checkArgument(b.shape().equals(weight.shape()), "norm bias %s vs weight %s", b.shape(),
        weight.shape()));
  }

  public static NormWeights of(Tensor weight) {
    return new NormWeights(weight, Optional.empty());
  }

  public static NormWeights of(Tensor weight, Optional<Tensor> bias) {
    return new NormWeights(weight, bias);
  }
}

package org.ffnfuse.converters.export.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A linear layer {@code y = x·Wᵀ + b} (or {@code x·W + b} when stored input-major).
 *
 * @param weight the weight, 2-D
 * @param inputMajor false for PyTorch {@code nn.Linear}'s {@code [out, in]}; true for GPT-2 {@code Conv1D}'s
 *     {@code [in, out]} (and for weights already in ONNX MatMul orientation)
 * @param bias the bias {@code [out]}, if any
 */
public record Linear(Tensor weight, boolean inputMajor, Optional<Tensor> bias) {
  public Linear {
    checkNotNull(weight);
    checkNotNull(bias);
    checkArgument(weight.shape().rank() == 2, "linear weight must be 2-D, got %s", weight.shape());
    bias.ifPresent(b -> checkArgument(b.shape().rank() == 1 && b.shape().dim(0) == (inputMajor
        ? weight.shape().dim(1) : weight.shape().dim(0)), "bias %s for weight %s", b.shape(), weight.shape()));
  }

  /** An {@code nn.Linear} weight {@code [out, in]} without bias. */
  public static Linear of(Tensor outIn) {
    return new Linear(outIn, false, Optional.empty());
  }

  /** An {@code nn.Linear} weight {@code [out, in]} with an optional bias. */
  public static Linear of(Tensor outIn, Optional<Tensor> bias) {
    return new Linear(outIn, false, bias);
  }

  /** Input features. */
  public long inFeatures() {
    return inputMajor ? weight.shape().dim(0) : weight.shape().dim(1);
  }

  /** Output features. */
  public long outFeatures() {
    return inputMajor ? weight.shape().dim(1) : weight.shape().dim(0);
  }
}

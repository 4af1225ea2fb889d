package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/** One residual FFN branch: {@code x + ffn(norm(x))}. */
public record FfnBlock(NormParams norm, FfnWeights ffn) {
  public FfnBlock {
    Objects.requireNonNull(norm);
    Objects.requireNonNull(ffn);
    checkArgument(norm.hidden() == ffn.hidden(), "norm of size %s before an FFN of hidden size %s", norm.hidden(),
        ffn.hidden());
  }
}

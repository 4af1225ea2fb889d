package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;
import java.util.Optional;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * One FFN's projections. Gated: {@code down(act(gate·u + bg) ⊙ (up·u + bu)) + bd}; plain MLP (GPT-2's fc1/fc2, where
 * {@code up} is fc1 and {@code gate} is empty): {@code down(act(up·u + bu)) + bd}.
 *
 * @param layout orientation of the three matrices
 * @param gate the gate projection (hidden → width), empty for a plain MLP
 * @param up the up projection (hidden → width)
 * @param down the down projection (width → hidden)
 */
public record FfnWeights(
    FfnActivation activation,
    WeightLayout layout,
    Optional<Tensor> gate,
    Tensor up,
    Tensor down,
    Optional<Tensor> gateBias,
    Optional<Tensor> upBias,
    Optional<Tensor> downBias) {

  public FfnWeights {
    Objects.requireNonNull(activation);
    Objects.requireNonNull(layout);
    Objects.requireNonNull(up);
    Objects.requireNonNull(down);
    checkArgument(up.shape().rank() == 2 && down.shape().rank() == 2, "projections must be 2-D: up %s, down %s",
        up.shape(), down.shape());
    long hidden = inDim(layout, up.shape());
    long width = outDim(layout, up.shape());
    gate.ifPresent(g -> checkArgument(g.shape().equals(up.shape()), "gate %s differs from up %s", g.shape(),
        up.shape()));
    checkArgument(inDim(layout, down.shape()) == width && outDim(layout, down.shape()) == hidden,
        "down %s does not map width %s back to hidden %s (%s)", down.shape(), width, hidden, layout);
    checkArgument(gate.isPresent() || gateBias.isEmpty(), "gate bias without gate");
    gateBias.ifPresent(b -> checkArgument(b.shape().equals(Shape.of(width)), "gate bias %s", b.shape()));
    upBias.ifPresent(b -> checkArgument(b.shape().equals(Shape.of(width)), "up bias %s", b.shape()));
    downBias.ifPresent(b -> checkArgument(b.shape().equals(Shape.of(hidden)), "down bias %s", b.shape()));
  }

  /** A gated FFN without biases (Llama's SwiGLU, Gemma's GeGLU). */
  public static FfnWeights gated(FfnActivation act, WeightLayout layout, Tensor gate, Tensor up, Tensor down) {
    return new FfnWeights(act, layout, Optional.of(gate), up, down, Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  public boolean isGated() {
    return gate.isPresent();
  }

  /** Hidden size (input of up, output of down). */
  public long hidden() {
    return inDim(layout, up.shape());
  }

  /** Intermediate width. */
  public long width() {
    return outDim(layout, up.shape());
  }

  static long inDim(WeightLayout layout, Shape s) {
    return layout == WeightLayout.OUT_IN ? s.dim(1) : s.dim(0);
  }

  static long outDim(WeightLayout layout, Shape s) {
    return layout == WeightLayout.OUT_IN ? s.dim(0) : s.dim(1);
  }
}

package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;
import java.util.Optional;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * One FFN's projections. Gated: {@code down(act(gate·u + bg) ⊙ (up·u + bu)) + bd}; plain MLP (GPT-2's fc1/fc2, where
 * {@code up} is fc1 and {@code gate} is empty): {@code down(act(up·u + bu)) + bd}.
 *
 * @param activation the element-wise activation (of the gate, or of fc1 in a plain MLP)
 * @param orientation how the three matrices are stored ({@link Orientation#OUT_IN} = {@code [out, in]})
 * @param gate the gate projection (hidden → width), empty for a plain MLP
 * @param up the up projection (hidden → width)
 * @param down the down projection (width → hidden)
 */
public record FfnWeights(
    Activation activation,
    Orientation orientation,
    Optional<Tensor> gate,
    Tensor up,
    Tensor down,
    Optional<Tensor> gateBias,
    Optional<Tensor> upBias,
    Optional<Tensor> downBias) {

  public FfnWeights {
    Objects.requireNonNull(activation);
    Objects.requireNonNull(orientation);
    Objects.requireNonNull(up);
    Objects.requireNonNull(down);
    checkArgument(up.shape().rank() == 2 && down.shape().rank() == 2, "projections must be 2-D: up %s, down %s",
        up.shape(), down.shape());
    long hidden = inDim(orientation, up.shape());
    long width = outDim(orientation, up.shape());
    gate.ifPresent(g -> checkArgument(g.shape().equals(up.shape()), "gate %s differs from up %s", g.shape(),
        up.shape()));
    checkArgument(inDim(orientation, down.shape()) == width && outDim(orientation, down.shape()) == hidden,
        "down %s does not map width %s back to hidden %s (%s)", down.shape(), width, hidden, orientation);
    checkArgument(gate.isPresent() || gateBias.isEmpty(), "gate bias without gate");
    gateBias.ifPresent(b -> checkArgument(b.shape().equals(Shape.of(width)), "gate bias %s", b.shape()));
    upBias.ifPresent(b -> checkArgument(b.shape().equals(Shape.of(width)), "up bias %s", b.shape()));
    downBias.ifPresent(b -> checkArgument(b.shape().equals(Shape.of(hidden)), "down bias %s", b.shape()));
  }

  /** A gated FFN without biases (Llama's SwiGLU, Gemma's GeGLU). */
  public static FfnWeights gated(Activation act, Orientation orientation, Tensor gate, Tensor up, Tensor down) {
    return new FfnWeights(act, orientation, Optional.of(gate), up, down, Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  public boolean isGated() {
    return gate.isPresent();
  }

  /** Hidden size (input of up, output of down). */
  public long hidden() {
    return inDim(orientation, up.shape());
  }

  /** Intermediate width. */
  public long width() {
    return outDim(orientation, up.shape());
  }

  static long inDim(Orientation orientation, Shape s) {
    return orientation == Orientation.OUT_IN ? s.dim(1) : s.dim(0);
  }

  static long outDim(Orientation orientation, Shape s) {
    return orientation == Orientation.OUT_IN ? s.dim(0) : s.dim(1);
  }
}

package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Node;

/**
 * A normalization found in the graph.
 *
 * @param kind RMSNorm or LayerNorm
 * @param form decomposed, one op, or one op fused with the residual add
 * @param input the normalized value (for skip forms: the first summand)
 * @param skip for skip forms, the second summand
 * @param output the normalized, scaled value
 * @param sum for skip forms, the residual sum output (input + skip + bias), if the node exposes it
 * @param weight the gain initializer, if any
 * @param bias the LayerNorm shift initializer, if any
 * @param gainOffset added to the weight before scaling: 1 for Gemma's explicit {@code x·(1+w)}, else 0 (a pre-folded
 *     {@code 1+w} is just the weight)
 * @param epsilon the epsilon added to the variance
 * @param nodes the nodes of the normalization
 * @param skipBias for skip forms, a bias initializer added to the sum before normalizing (ONNX Runtime's optimizer
 *     moves the bias of the projection ending the branch there), if any
 */
public record NormMatch(NormKind kind, NormForm form, String input, Optional<String> skip, String output,
    Optional<String> sum, Optional<String> weight, Optional<String> bias, double gainOffset, double epsilon,
    List<Node> nodes, Optional<String> skipBias) {
  public NormMatch {
    nodes = List.copyOf(nodes);
  }

  /** A norm without a skip bias. */
  public NormMatch(NormKind kind, NormForm form, String input, Optional<String> skip, String output,
      Optional<String> sum, Optional<String> weight, Optional<String> bias, double gainOffset, double epsilon,
      List<Node> nodes) {
    this(kind, form, input, skip, output, sum, weight, bias, gainOffset, epsilon, nodes, Optional.empty());
  }
}

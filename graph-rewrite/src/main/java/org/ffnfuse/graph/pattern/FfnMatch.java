package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Node;

/**
 * A feed-forward block found in the graph.
 *
 * @param kind gated or MLP, and its activation family
 * @param activation the exact activation function
 * @param input the value the FFN reads (its norm's output)
 * @param output the value it produces (added to the residual stream)
 * @param hidden model width (input features of the first projections, output features of the last)
 * @param width intermediate size
 * @param gate the gate projection of a gated FFN with separate projections
 * @param up the up projection of a gated FFN, or fc1 of an MLP
 * @param gateUp the fused gate/up projection (Phi-3), when gate and up are one initializer
 * @param down the down projection (fc2)
 * @param activationBias a bias folded into the activation op (FastGelu/BiasGelu), belonging to gate or fc1
 * @param nodes every node of the FFN (safe to remove: no intermediate value is read outside it)
 */
public record FfnMatch(FfnKind kind, Activation activation, String input, String output, long hidden, long width,
    Optional<LinearMatch> gate, Optional<LinearMatch> up, Optional<FusedGateUp> gateUp, LinearMatch down,
    Optional<String> activationBias, List<Node> nodes) {
  public FfnMatch {
    nodes = List.copyOf(nodes);
  }
}

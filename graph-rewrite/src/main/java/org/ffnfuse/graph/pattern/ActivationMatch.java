package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Node;

/**
 * An element-wise activation subgraph {@code output = f(input (+ bias))}.
 *
 * @param activation which function
 * @param input the single non-constant value it reads
 * @param output the value it produces
 * @param bias a bias vector folded into the activation op (FastGelu / BiasGelu input 1), if any
 * @param nodes the element-wise nodes (empty for {@link Activation#IDENTITY})
 */
public record ActivationMatch(Activation activation, String input, String output, Optional<String> bias,
    List<Node> nodes) {
  public ActivationMatch {
    nodes = List.copyOf(nodes);
  }
}

package org.ffnfuse.graph.pattern;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * ONNX Runtime's {@code is_safe_to_fuse_nodes}: matched nodes may be removed only if none of their outputs, except
 * the ones the replacement will produce, is read by a node outside the match or is a graph output.
 */
public final class SafeFusion {
  private SafeFusion() {}

  /**
   * Why removing {@code matched} would break the graph, or empty if it is safe.
   *
   * @param kept outputs of the match that the replacement provides (typically the final output)
   */
  public static Optional<String> escapingValue(Graph g, Collection<Node> matched, Collection<String> kept) {
    Set<Node> inside = Collections.newSetFromMap(new IdentityHashMap<>());
    inside.addAll(matched);
    for (Node n : matched) {
      for (String out : n.outputs()) {
        if (out.isEmpty() || kept.contains(out)) {
          continue;
        }
        if (g.isGraphOutput(out)) {
          return Optional.of("intermediate " + out + " of " + n + " is a graph output");
        }
        for (Node c : g.consumers(out)) {
          if (!inside.contains(c)) {
            return Optional.of("intermediate " + out + " of " + n + " is also read by " + c + " outside the match");
          }
        }
      }
    }
    return Optional.empty();
  }
}

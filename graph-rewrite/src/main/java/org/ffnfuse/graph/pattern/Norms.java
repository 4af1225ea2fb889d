package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;

/** Checks shared by the normalization patterns. */
final class Norms {
  /** Largest epsilon accepted: exporters use 1e-5 or 1e-6; anything near 1 would be a different computation. */
  static final double MAX_EPSILON = 1e-2;

  private Norms() {}

  /** Whether a ReduceMean reduces exactly the last axis with keepdims (axes as attribute, or input since opset 18). */
  static boolean reducesLastAxis(Graph g, Node n) {
    if (n.intAttribute("keepdims", 1) != 1) {
      return false;
    }
    Optional<List<Long>> attr = n.intsAttribute("axes");
    if (attr.isPresent()) {
      return attr.get().equals(List.of(-1L));
    }
    return !n.input(1).isEmpty() && g.constantLongs(n.input(1)).map(a -> a.length == 1 && a[0] == -1).orElse(false);
  }

  /** Why {@code weight} (and {@code bias}) cannot be a per-channel gain, or null. */
  static String gainProblem(Graph g, Optional<String> weight, Optional<String> bias) {
    long size = -1;
    for (Optional<String> o : List.of(weight, bias)) {
      if (o.isEmpty()) {
        continue;
      }
      InitializerInfo i = g.initializer(o.get()).orElseThrow();
      if (i.shape().rank() != 1 || !i.isFloat()) {
        return "norm parameter " + o.get() + " has shape " + i.shape() + ", expected one float vector [hidden]";
      }
      if (size >= 0 && i.shape().dim(0) != size) {
        return "norm weight and bias sizes differ: " + size + " vs " + i.shape().dim(0);
      }
      size = i.shape().dim(0);
    }
    return null;
  }

  /** Finishes a match: gain shape check and the is-safe-to-fuse check. */
  static Match<NormMatch> finish(Graph g, Node anchor, NormMatch m) {
    String problem = gainProblem(g, m.weight(), m.bias());
    if (problem != null) {
      return Match.miss(anchor, problem);
    }
    List<String> kept = m.sum().isPresent() ? List.of(m.output(), m.sum().get()) : List.of(m.output());
    Optional<String> escape = SafeFusion.escapingValue(g, m.nodes(), kept);
    return escape.isPresent() ? Match.miss(anchor, escape.get()) : Match.found(m);
  }
}

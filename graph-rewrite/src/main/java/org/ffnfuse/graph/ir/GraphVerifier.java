package org.ffnfuse.graph.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the invariants every pass must keep: each value produced once (by one node, or being a graph input or an
 * initializer), every node input defined, no cycles, nodes in topological order, every graph output defined.
 */
public final class GraphVerifier {
  private GraphVerifier() {}

  /** Every violated invariant, as readable messages naming the node or value; empty when the graph is sound. */
  public static List<String> problems(Graph g) {
    List<String> problems = structuralProblems(g);
    if (problems.isEmpty()) {
      Map<Node, Integer> pos = new IdentityHashMap<>();
      for (int i = 0; i < g.nodes().size(); i++) {
        pos.put(g.nodes().get(i), i);
      }
      for (Node n : g.nodes()) {
        for (String in : reads(n)) {
          g.producer(in).filter(p -> pos.get(p) > pos.get(n)).ifPresent(p ->
              problems.add(n + " reads " + in + " before its producer " + p + " (not in topological order)"));
        }
      }
    }
    return problems;
  }

  /**
   * Throws if {@link #problems} finds anything.
   *
   * @param after what produced the graph, e.g. the pass name, for the message
   * @throws IllegalStateException listing the problems (a pass that breaks a graph is a bug)
   */
  public static void verify(Graph g, String after) {
    List<String> p = problems(g);
    if (!p.isEmpty()) {
      throw new IllegalStateException("graph invalid after " + after + ": " + String.join("; ", p));
    }
  }

  static List<String> structuralProblems(Graph g) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> definedBy = new HashMap<>();
    for (String in : g.inputs()) {
      definedBy.put(in, "graph input");
    }
    for (String init : g.initializerProtos().keySet()) {
      Object prev = definedBy.put(init, "initializer");
      if (prev != null) {
        problems.add("value " + init + " is both " + prev + " and an initializer");
      }
    }
    for (Node n : g.nodes()) {
      for (String out : n.outputs()) {
        if (out.isEmpty()) {
          continue;
        }
        Object prev = definedBy.putIfAbsent(out, n);
        if (prev != null) {
          problems.add("value " + out + " is produced by " + n + " and also by " + prev);
        }
      }
    }
    for (Node n : g.nodes()) {
      for (String in : reads(n)) {
        if (!definedBy.containsKey(in)) {
          problems.add(n + " reads " + in + ", which no node, graph input or initializer defines");
        }
      }
    }
    for (String out : g.outputs()) {
      if (!definedBy.containsKey(out)) {
        problems.add("graph output " + out + " is not produced");
      }
    }
    if (problems.isEmpty()) {
      List<Node> sorted = TopologicalOrder.tryStableSort(g);
      if (sorted.size() != g.nodes().size()) {
        Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
        done.addAll(sorted);
        problems.add("graph has a cycle through "
            + g.nodes().stream().filter(n -> !done.contains(n)).limit(5).map(Node::toString).toList());
      }
    }
    return problems;
  }

  private static Set<String> reads(Node n) {
    Set<String> r = new java.util.LinkedHashSet<>(n.inputs());
    r.addAll(n.implicitInputs());
    r.remove("");
    return r;
  }
}

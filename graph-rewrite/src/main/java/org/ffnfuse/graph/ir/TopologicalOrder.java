package org.ffnfuse.graph.ir;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/** Stable topological sorting: nodes move only when a producer comes after its consumer. */
final class TopologicalOrder {
  private TopologicalOrder() {}

  /**
   * The nodes of {@code g} in a topological order that keeps their current relative order wherever dependencies
   * allow (Kahn's algorithm taking the earliest ready node first).
   *
   * @throws IllegalStateException if the graph has a cycle
   */
  static List<Node> stableSort(Graph g) {
    List<Node> order = tryStableSort(g);
    if (order.size() != g.nodes().size()) {
      throw new IllegalStateException("graph has a cycle through " + cycleMembers(g, order));
    }
    return order;
  }

  /** As {@link #stableSort} but returns the sortable prefix when there is a cycle. */
  static List<Node> tryStableSort(Graph g) {
    List<Node> nodes = g.nodes();
    Map<Node, Integer> pending = new IdentityHashMap<>();
    Map<Node, List<Node>> dependents = new IdentityHashMap<>();
    for (Node n : nodes) {
      int deps = 0;
      List<String> reads = new ArrayList<>(n.inputs());
      reads.addAll(n.implicitInputs());
      for (String in : new java.util.LinkedHashSet<>(reads)) {
        Optional<Node> p = in.isEmpty() ? Optional.empty() : g.producer(in);
        if (p.isPresent() && p.get() != n) {
          deps++;
          dependents.computeIfAbsent(p.get(), k -> new ArrayList<>()).add(n);
        } else if (p.isPresent()) {
          deps++; // a node reading its own output is a cycle of one
        }
      }
      pending.put(n, deps);
    }
    PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Integer.compare(g.indexOf(a), g.indexOf(b)));
    for (Node n : nodes) {
      if (pending.get(n) == 0) {
        ready.add(n);
      }
    }
    List<Node> out = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      out.add(n);
      for (Node d : dependents.getOrDefault(n, List.of())) {
        if (pending.merge(d, -1, Integer::sum) == 0) {
          ready.add(d);
        }
      }
    }
    return out;
  }

  private static String cycleMembers(Graph g, List<Node> sorted) {
    java.util.Set<Node> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    done.addAll(sorted);
    return g.nodes().stream().filter(n -> !done.contains(n)).limit(5).map(Node::toString).toList().toString();
  }
}

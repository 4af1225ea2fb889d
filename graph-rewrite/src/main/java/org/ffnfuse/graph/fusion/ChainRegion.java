package org.ffnfuse.graph.fusion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * The nodes on paths between values of a graph: everything a chain of residual branches computes between the stream
 * value entering it and the one leaving it. Read-only.
 */
final class ChainRegion {
  private ChainRegion() {}

  /**
   * Nodes that read (transitively) one of {@code from} and produce a value {@code to} depends on, in graph order.
   * Producers of {@code from} values are never included.
   */
  static List<Node> between(Graph g, Collection<String> from, String to) {
    Set<String> sources = new HashSet<>(from);
    Set<String> up = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(to));
    while (!todo.isEmpty()) {
      String v = todo.pop();
      if (sources.contains(v) || !up.add(v)) {
        continue;
      }
      g.producer(v).ifPresent(n -> {
        n.inputs().forEach(todo::push);
        n.implicitInputs().forEach(todo::push);
      });
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<String> forward = new ArrayDeque<>(sources);
    while (!forward.isEmpty()) {
      for (Node c : g.consumers(forward.pop())) {
        if (c.outputs().stream().anyMatch(up::contains) && seen.add(c)) {
          forward.addAll(c.outputs());
        }
      }
    }
    List<Node> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (seen.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * Values produced inside {@code region} (other than {@code allowed}) that a node outside it reads or that are graph
   * outputs: {@code value → the outside readers} (empty list for a graph output), in graph order.
   */
  static java.util.Map<String, List<Node>> escapes(Graph g, Collection<Node> region, Collection<String> allowed) {
    Set<Node> inside = Collections.newSetFromMap(new IdentityHashMap<>());
    inside.addAll(region);
    java.util.Map<String, List<Node>> out = new java.util.LinkedHashMap<>();
    for (Node n : region) {
      for (String v : n.outputs()) {
        if (v.isEmpty() || allowed.contains(v)) {
          continue;
        }
        List<Node> readers = g.consumers(v).stream().filter(c -> !inside.contains(c)).toList();
        if (!readers.isEmpty() || g.isGraphOutput(v)) {
          out.put(v, readers);
        }
      }
    }
    return out;
  }

  /** {@code nodes} without those in {@code minus} (identity). */
  static List<Node> without(Collection<Node> nodes, Collection<Node> minus) {
    Set<Node> m = Collections.newSetFromMap(new IdentityHashMap<>());
    m.addAll(minus);
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (!m.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** The values {@code nodes} produce. */
  static Set<String> outputsOf(Collection<Node> nodes) {
    Set<String> s = new LinkedHashSet<>();
    nodes.forEach(n -> s.addAll(n.outputs()));
    s.remove("");
    return s;
  }
}

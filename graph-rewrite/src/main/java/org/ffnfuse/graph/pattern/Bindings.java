package org.ffnfuse.graph.pattern;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ffnfuse.graph.ir.Node;

/**
 * What an {@link Expr} match bound: value names, nodes, scalar constants, and every node the match covers (in the
 * order matched, each once). Immutable.
 */
public final class Bindings {
  static final Bindings EMPTY = new Bindings(Map.of(), Map.of(), Map.of(), List.of());

  private final Map<String, String> values;
  private final Map<String, Node> nodes;
  private final Map<String, Double> scalars;
  private final List<Node> matched;

  private Bindings(Map<String, String> values, Map<String, Node> nodes, Map<String, Double> scalars,
      List<Node> matched) {
    this.values = values;
    this.nodes = nodes;
    this.scalars = scalars;
    this.matched = matched;
  }

  /** The value (or initializer) bound to {@code name}. */
  public String value(String name) {
    String v = values.get(name);
    checkArgument(v != null, "nothing bound to %s (bound: %s)", name, values.keySet());
    return v;
  }

  public Optional<String> optionalValue(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The node bound to {@code name}. */
  public Node node(String name) {
    Node n = nodes.get(name);
    checkArgument(n != null, "no node bound to %s (bound: %s)", name, nodes.keySet());
    return n;
  }

  /** The scalar constant bound to {@code name}. */
  public double scalar(String name) {
    Double d = scalars.get(name);
    checkArgument(d != null, "no scalar bound to %s", name);
    return d;
  }

  public Optional<Double> optionalScalar(String name) {
    return Optional.ofNullable(scalars.get(name));
  }

  /** Every node the match covers, in the order matched. */
  public List<Node> matched() {
    return Collections.unmodifiableList(matched);
  }

  Bindings withValue(String name, String value) {
    Map<String, String> v = new HashMap<>(values);
    v.put(name, value);
    return new Bindings(v, nodes, scalars, matched);
  }

  Bindings withScalar(String name, String value, double s) {
    Map<String, Double> m = new HashMap<>(scalars);
    m.put(name, s);
    return withValue(name, value).withScalars(m);
  }

  private Bindings withScalars(Map<String, Double> s) {
    return new Bindings(values, nodes, s, matched);
  }

  Bindings withNode(String name, Node n) {
    Map<String, Node> m = new HashMap<>(nodes);
    m.put(name, n);
    return new Bindings(values, m, scalars, matched);
  }

  Bindings withMatched(Node n) {
    if (matched.stream().anyMatch(m -> m == n)) {
      return this;
    }
    List<Node> m = new ArrayList<>(matched);
    m.add(n);
    return new Bindings(values, nodes, scalars, m);
  }

  @Override
  public String toString() {
    return "Bindings" + values + scalars;
  }
}

package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.DoublePredicate;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * A declarative description of the subgraph producing a value, matched backwards from that value:
 *
 * <pre>{@code
 * Expr silu = Expr.op("Mul", Expr.any("x"), Expr.op("Sigmoid", Expr.any("x"))).commutative();
 * }</pre>
 *
 * A name bound twice must bind the same value. Matching returns every way the expression fits (commutative inputs,
 * alternatives, optional casts), so callers can pick the first that passes further checks.
 */
public abstract class Expr {
  private static final Set<Long> FLOAT_TYPES = Set.of(1L, 10L, 11L, 16L);

  Expr() {}

  /** Any value, bound to {@code name}; a second occurrence of the name must be the same value. */
  public static Expr any(String name) {
    return new Any(name);
  }

  /** The output of an {@code opType} node (default ONNX domain) whose inputs match {@code inputs} (a prefix). */
  public static Op op(String opType, Expr... inputs) {
    return new Op("", opType, 0, inputs);
  }

  /** As {@link #op(String, Expr...)} in {@code domain}. */
  public static Op op(String domain, String opType, Expr... inputs) {
    return new Op(domain, opType, 0, inputs);
  }

  /** A constant with exactly one float element accepted by {@code test} ({@code description} names the test). */
  public static Expr scalar(String name, DoublePredicate test, String description) {
    return new Scalar(name, test, description);
  }

  /** A constant with one element equal to {@code v} (to 1e-6 relative). */
  public static Expr scalar(String name, double v) {
    return new Scalar(name, x -> Math.abs(x - v) <= 1e-6 * Math.max(1, Math.abs(v)), "= " + v);
  }

  /** An initializer, directly or through Identity nodes; binds the initializer's name. */
  public static Expr initializer(String name) {
    return new Initializer(name);
  }

  /** {@code inner}, possibly behind any number of Casts to a floating-point type (fewest casts tried first). */
  public static Expr casts(Expr inner) {
    return new Casts(inner);
  }

  /** The first alternative that matches (all are tried, in order). */
  public static Expr oneOf(Expr... alternatives) {
    return new OneOf(List.of(alternatives));
  }

  /**
   * Every way {@code this} matches {@code value} in {@code g}. When there is none, {@code failure} holds the reason
   * found deepest in the expression.
   */
  public final List<Bindings> matchAll(Graph g, String value, Failure failure) {
    return match(new Ctx(g, failure), value, Bindings.EMPTY, 0);
  }

  abstract List<Bindings> match(Ctx c, String value, Bindings b, int depth);

  /** The deepest reason an expression did not match. */
  public static final class Failure {
    private int depth = -1;
    private String at = "";
    private String reason = "no match";

    void record(int d, String at, String reason) {
      if (d >= depth) {
        depth = d;
        this.at = at;
        this.reason = reason;
      }
    }

    /** The node where the deepest failure happened, or "". */
    public String at() {
      return at;
    }

    public String reason() {
      return reason;
    }

    /** As a {@link Match.Miss}. */
    public <M> Match<M> toMiss() {
      return Match.miss(at, reason);
    }
  }

  record Ctx(Graph g, Failure failure) {
    String where(String value) {
      return g.producer(value).map(Node::toString).orElse(value);
    }
  }

  /** An operator node in an expression; refine with {@link #commutative()}, {@link #as}, {@link #where}. */
  public static final class Op extends Expr {
    private final String domain;
    private final String opType;
    private final int output;
    private final List<Expr> inputs;
    private boolean commutative;
    private String nodeName;
    private final List<BiPredicate<Graph, Node>> tests = new ArrayList<>();
    private final List<String> testNames = new ArrayList<>();

    Op(String domain, String opType, int output, Expr[] inputs) {
      this.domain = domain;
      this.opType = opType;
      this.output = output;
      this.inputs = Arrays.asList(inputs);
    }

    /** Also tries the two inputs swapped. */
    public Op commutative() {
      this.commutative = true;
      return this;
    }

    /** Binds the node to {@code name}. */
    public Op as(String name) {
      this.nodeName = name;
      return this;
    }

    /** Requires {@code test} to hold for the node. */
    public Op where(BiPredicate<Graph, Node> test, String description) {
      tests.add(test);
      testNames.add(description);
      return this;
    }

    @Override
    List<Bindings> match(Ctx c, String value, Bindings b, int depth) {
      Optional<Node> p = c.g().producer(value);
      if (p.isEmpty() || !p.get().is(domain, opType)) {
        c.failure().record(depth, c.where(value), "expected " + opType + " producing " + value);
        return List.of();
      }
      Node n = p.get();
      if (!n.output(output).equals(value) || n.inputs().size() < inputs.size()) {
        c.failure().record(depth, n.toString(), "expected output " + output + " and " + inputs.size() + " inputs");
        return List.of();
      }
      for (int i = 0; i < tests.size(); i++) {
        if (!tests.get(i).test(c.g(), n)) {
          c.failure().record(depth + 1, n.toString(), "expected " + testNames.get(i));
          return List.of();
        }
      }
      Bindings start = b.withMatched(n);
      if (nodeName != null) {
        start = start.withNode(nodeName, n);
      }
      List<Bindings> out = new ArrayList<>(matchInputs(c, n, inputs, start, depth));
      if (commutative && inputs.size() == 2) {
        out.addAll(matchInputs(c, n, List.of(inputs.get(1), inputs.get(0)), start, depth));
      }
      return out;
    }

    private static List<Bindings> matchInputs(Ctx c, Node n, List<Expr> exprs, Bindings b, int depth) {
      List<Bindings> partial = List.of(b);
      for (int i = 0; i < exprs.size() && !partial.isEmpty(); i++) {
        List<Bindings> next = new ArrayList<>();
        for (Bindings pb : partial) {
          next.addAll(exprs.get(i).match(c, n.input(i), pb, depth + 1));
        }
        partial = next;
      }
      return partial;
    }
  }

  private static final class Any extends Expr {
    private final String name;

    Any(String name) {
      this.name = name;
    }

    @Override
    List<Bindings> match(Ctx c, String value, Bindings b, int depth) {
      Optional<String> bound = b.optionalValue(name);
      if (bound.isPresent() && !bound.get().equals(value)) {
        c.failure().record(depth, c.where(value), "expected " + bound.get() + " (" + name + ") but found " + value);
        return List.of();
      }
      return List.of(bound.isPresent() ? b : b.withValue(name, value));
    }
  }

  private static final class Scalar extends Expr {
    private final String name;
    private final DoublePredicate test;
    private final String description;

    Scalar(String name, DoublePredicate test, String description) {
      this.name = name;
      this.test = test;
      this.description = description;
    }

    @Override
    List<Bindings> match(Ctx c, String value, Bindings b, int depth) {
      Optional<float[]> f = c.g().constantFloats(value);
      if (f.isEmpty() || f.get().length != 1) {
        c.failure().record(depth, c.where(value), "expected a one-element float constant " + name + " but "
            + value + (f.isEmpty() ? " is not a constant" : " has " + f.get().length + " elements"));
        return List.of();
      }
      double v = f.get()[0];
      if (!test.test(v)) {
        c.failure().record(depth + 1, c.where(value), "constant " + name + " = " + v + ", expected " + description);
        return List.of();
      }
      return List.of(b.withScalar(name, value, v));
    }
  }

  private static final class Initializer extends Expr {
    private final String name;

    Initializer(String name) {
      this.name = name;
    }

    @Override
    List<Bindings> match(Ctx c, String value, Bindings b, int depth) {
      Optional<String> init = c.g().initializerBehind(value);
      if (init.isEmpty()) {
        c.failure().record(depth, c.where(value), "expected an initializer (" + name + ") but found " + value);
        return List.of();
      }
      Optional<String> bound = b.optionalValue(name);
      if (bound.isPresent() && !bound.get().equals(init.get())) {
        c.failure().record(depth, c.where(value), "expected initializer " + bound.get() + " again");
        return List.of();
      }
      return List.of(b.withValue(name, init.get()));
    }
  }

  private static final class Casts extends Expr {
    private final Expr inner;

    Casts(Expr inner) {
      this.inner = inner;
    }

    @Override
    List<Bindings> match(Ctx c, String value, Bindings b, int depth) {
      List<Bindings> out = new ArrayList<>(inner.match(c, value, b, depth));
      Optional<Node> p = c.g().producer(value);
      if (p.isPresent() && p.get().is("Cast") && FLOAT_TYPES.contains(p.get().intAttribute("to", -1))) {
        out.addAll(match(c, p.get().input(0), b.withMatched(p.get()), depth));
      }
      return out;
    }
  }

  private static final class OneOf extends Expr {
    private final List<Expr> alternatives;

    OneOf(List<Expr> alternatives) {
      this.alternatives = alternatives;
    }

    @Override
    List<Bindings> match(Ctx c, String value, Bindings b, int depth) {
      List<Bindings> out = new ArrayList<>();
      for (Expr e : alternatives) {
        out.addAll(e.match(c, value, b, depth));
      }
      return out;
    }
  }
}

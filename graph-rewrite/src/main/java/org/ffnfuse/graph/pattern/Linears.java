package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;

/**
 * Recognizes linear layers ({@link LinearMatch}) backwards from their output value.
 *
 * <pre>
 *   x ─[Reshape(-1,in)]─ MatMul(W) | MatMul(Transpose(W)) | Gemm(W,b) ─[Add(b)]─[Reshape(..,out)]─ y
 * </pre>
 */
public final class Linears {
  private Linears() {}

  private static final MatMulNBitsPattern N_BITS = new MatMulNBitsPattern();

  /**
   * Whether {@code n} can be the core of a linear layer: MatMul or Gemm with an initializer weight, or a
   * {@link MatMulNBitsPattern} match.
   */
  public static boolean isCore(Graph g, Node n) {
    if (N_BITS.isAnchor(n)) {
      return N_BITS.match(g, n).found().isPresent();
    }
    return (n.is("MatMul") || n.is("Gemm")) && weightOf(g, n).isPresent();
  }

  /**
   * The value a linear layer whose core is {@code core} finally produces: after a bias Add and an unflatten Reshape
   * that are the sole readers of the previous value.
   */
  public static String outputOf(Graph g, Node core) {
    String v = core.output(0);
    List<Node> cs = g.consumers(v);
    if (cs.size() == 1 && cs.get(0).is("Add") && !g.isGraphOutput(v)) {
      String other = cs.get(0).input(0).equals(v) ? cs.get(0).input(1) : cs.get(0).input(0);
      if (isBias(g, other)) {
        v = cs.get(0).output(0);
        cs = g.consumers(v);
      }
    }
    if (cs.size() == 1 && cs.get(0).is("Reshape") && cs.get(0).input(0).equals(v) && !g.isGraphOutput(v)) {
      v = cs.get(0).output(0);
    }
    return v;
  }

  /** The linear layer producing {@code value}. */
  public static Match<LinearMatch> at(Graph g, String value) {
    List<Node> nodes = new ArrayList<>();
    String v = value;
    Optional<Node> unflatten = g.producer(v).filter(n -> n.is("Reshape"));
    if (unflatten.isPresent()) {
      nodes.add(unflatten.get());
      v = unflatten.get().input(0);
    }
    Optional<String> bias = Optional.empty();
    Optional<Node> add = g.producer(v).filter(n -> n.is("Add"));
    if (add.isPresent()) {
      Node a = add.get();
      int b = isBias(g, a.input(1)) ? 1 : isBias(g, a.input(0)) ? 0 : -1;
      if (b < 0) {
        return Match.miss(a, "expected a bias Add with a rank-1 initializer");
      }
      bias = g.initializerBehind(a.input(b));
      nodes.add(a);
      v = a.input(1 - b);
    }
    Optional<Node> core = g.producer(v).filter(n -> isCore(g, n));
    if (core.isEmpty()) {
      return Match.miss(g.producer(v).map(Node::toString).orElse(v),
          "expected MatMul or Gemm with an initializer weight producing " + v);
    }
    Node c = core.get();
    if (N_BITS.isAnchor(c)) {
      return quantized(g, value, N_BITS.match(g, c).found().orElseThrow(), bias, nodes);
    }
    nodes.add(c);
    Weight w = weightOf(g, c).orElseThrow();
    w.transpose().ifPresent(nodes::add);
    if (c.is("Gemm")) {
      if (c.intAttribute("transA", 0) != 0 || c.floatAttribute("alpha", 1f) != 1f
          || (!c.input(2).isEmpty() && c.floatAttribute("beta", 1f) != 1f)) {
        return Match.miss(c, "expected Gemm with transA=0, alpha=1, beta=1");
      }
      if (!c.input(2).isEmpty()) {
        if (bias.isPresent() || !isBias(g, c.input(2))) {
          return Match.miss(c, "expected Gemm bias C to be the only bias, a rank-1 initializer");
        }
        bias = g.initializerBehind(c.input(2));
      }
    }
    if (bias.isPresent() && g.initializer(bias.get()).orElseThrow().shape().dim(-1) != w.out()) {
      return Match.miss(c, "bias " + bias.get() + " has shape " + g.initializer(bias.get()).orElseThrow().shape()
          + ", expected [" + w.out() + "]");
    }
    String input = c.input(0);
    Optional<Node> flatten = g.producer(input).filter(n -> n.is("Reshape"));
    if (flatten.isPresent() && lastElementIs(g, flatten.get(), w.in())) {
      nodes.add(flatten.get());
      nodes.addAll(ShapeArithmetic.computation(g, List.of(flatten.get())));
      input = flatten.get().input(0);
    }
    if (unflatten.isPresent() && !lastElementIs(g, unflatten.get(), w.out())) {
      return Match.miss(unflatten.get(), "Reshape after the linear layer changes its last dim (expected " + w.out()
          + ")");
    }
    if (unflatten.isPresent()) {
      nodes.addAll(ShapeArithmetic.computation(g, List.of(unflatten.get())));
    }
    return Match.found(new LinearMatch(input, value, w.initializer(), w.orientation(), w.in(), w.out(), bias, nodes));
  }

  /** A MatMulNBits core with the bias Add and unflatten Reshape already walked over in {@code outer}. */
  private static Match<LinearMatch> quantized(Graph g, String value, LinearMatch core, Optional<String> addBias,
      List<Node> outer) {
    Node c = core.nodes().get(0);
    if (addBias.isPresent() && core.bias().isPresent()) {
      return Match.miss(c, "has a bias input and a bias Add; expected one bias");
    }
    Optional<String> bias = addBias.isPresent() ? addBias : core.bias();
    if (addBias.isPresent() && g.initializer(addBias.get()).orElseThrow().shape().dim(-1) != core.out()) {
      return Match.miss(c, "bias " + addBias.get() + " does not have " + core.out() + " elements");
    }
    Optional<Node> unflatten = outer.stream().filter(n -> n.is("Reshape")).findFirst();
    if (unflatten.isPresent() && !lastElementIs(g, unflatten.get(), core.out())) {
      return Match.miss(unflatten.get(), "Reshape after the linear layer changes its last dim (expected "
          + core.out() + ")");
    }
    List<Node> nodes = new ArrayList<>(outer);
    nodes.add(c);
    return Match.found(new LinearMatch(core.input(), value, core.weight(), core.orientation(), core.in(),
        core.out(), bias, nodes, core.quantization()));
  }

  private static boolean lastElementIs(Graph g, Node reshape, long expected) {
    Optional<List<ShapeArithmetic.Dim>> target = ShapeArithmetic.elements(g, reshape.input(1));
    if (target.isEmpty() || target.get().isEmpty()) {
      return false;
    }
    ShapeArithmetic.Dim last = target.get().get(target.get().size() - 1);
    if (last.isLastDimOf(reshape.input(0))) {
      return true;
    }
    OptionalLong v = ShapeArithmetic.resolve(g, last);
    return v.isPresent() && v.getAsLong() == expected;
  }

  private static boolean isBias(Graph g, String value) {
    Optional<InitializerInfo> i = g.initializerBehind(value).flatMap(g::initializer);
    return i.isPresent() && i.get().isFloat() && i.get().shape().rank() == 1;
  }

  private record Weight(String initializer, Orientation orientation, long in, long out, Optional<Node> transpose) {}

  private static Optional<Weight> weightOf(Graph g, Node n) {
    Optional<String> w = g.initializerBehind(n.input(1));
    Optional<Node> transpose = Optional.empty();
    boolean transposed = n.is("Gemm") && n.intAttribute("transB", 0) == 1;
    if (w.isEmpty() && n.is("MatMul")) {
      transpose = g.producer(n.input(1)).filter(t -> t.is("Transpose")
          && t.intsAttribute("perm").equals(Optional.of(List.of(1L, 0L))));
      if (transpose.isPresent()) {
        w = g.initializerBehind(transpose.get().input(0));
        transposed = true;
      }
    }
    if (w.isEmpty()) {
      return Optional.empty();
    }
    InitializerInfo info = g.initializer(w.get()).orElseThrow();
    Shape s = info.shape();
    if (s.rank() != 2 || !info.isFloat()) {
      return Optional.empty();
    }
    return Optional.of(transposed
        ? new Weight(w.get(), Orientation.OUT_IN, s.dim(1), s.dim(0), transpose)
        : new Weight(w.get(), Orientation.IN_OUT, s.dim(0), s.dim(1), transpose));
  }

  /**
   * The linear layer whose core MatMul/Gemm is {@code anchor} — how FFN patterns start from their last projection.
   *
   * @param what the projection's name for the miss message ("fc2", "the down projection")
   */
  static Match<LinearMatch> projectionAt(Graph g, Node anchor, String what) {
    if (!isCore(g, anchor)) {
      return Match.miss(anchor, "expected " + what + ": MatMul/Gemm with an initializer weight");
    }
    return at(g, outputOf(g, anchor));
  }
}

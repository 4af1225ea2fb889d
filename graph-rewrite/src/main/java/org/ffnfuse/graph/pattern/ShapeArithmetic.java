package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * Static evaluation of the small integer computations exporters emit for shapes and slice bounds ({@code Shape},
 * {@code Gather}, {@code Slice}, {@code Concat}, {@code Unsqueeze}, arithmetic), with dims of activations resolved
 * where weights determine them (the last dim of a {@code MatMul} by its weight). Anything else stays unknown; callers
 * treat unknown as "does not match", never as a guess.
 */
public final class ShapeArithmetic {
  private static final int MAX_DEPTH = 24;

  private ShapeArithmetic() {}

  /** One element of an integer shape tensor: a known number, dim {@code axis} of value {@code of}, or unknown. */
  public record Dim(OptionalLong known, String of, long axis) {
    static Dim known(long v) {
      return new Dim(OptionalLong.of(v), "", 0);
    }

    static Dim dimOf(String value, long axis) {
      return new Dim(OptionalLong.empty(), value, axis);
    }

    static Dim unknown() {
      return new Dim(OptionalLong.empty(), "", 0);
    }

    /** Whether this is the last dim of {@code value}. */
    public boolean isLastDimOf(String value) {
      return known.isEmpty() && of.equals(value) && axis == -1;
    }
  }

  /**
   * The nodes that compute the owners' inputs after the first (reshape targets, slice bounds) from constants and
   * {@code Shape}s and serve nothing else: exporters compute these at run time (TorchScript's {@code (d + 1) / 2}), so a
   * pattern that owns the owners owns them too. Nodes shared with other consumers are left out.
   */
  public static List<Node> computation(Graph g, List<Node> owners) {
    java.util.Set<String> shapeOps = java.util.Set.of("Shape", "Gather", "Constant", "Add", "Sub", "Mul", "Div",
        "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Identity");
    List<Node> out = new ArrayList<>();
    java.util.Deque<String> todo = new java.util.ArrayDeque<>();
    owners.forEach(owner -> todo.addAll(owner.inputs().subList(1, owner.inputs().size())));
    while (!todo.isEmpty()) {
      String v = todo.pop();
      Optional<Node> p = g.producer(v);
      if (v.isEmpty() || p.isEmpty() || !p.get().domain().isEmpty() || !shapeOps.contains(p.get().opType())
          || out.stream().anyMatch(n -> n == p.get())) {
        continue;
      }
      out.add(p.get());
      if (!p.get().is("Shape")) {
        p.get().inputs().forEach(todo::push);
      }
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (java.util.Iterator<Node> it = out.iterator(); it.hasNext(); ) {
        Node n = it.next();
        boolean owned = n.outputs().stream().allMatch(o -> !g.isGraphOutput(o) && g.consumers(o).stream()
            .allMatch(c -> owners.stream().anyMatch(x -> x == c) || out.stream().anyMatch(x -> x == c)));
        if (!owned) {
          it.remove();
          changed = true;
        }
      }
    }
    return out;
  }

  /** The elements of a 1-D (or scalar) integer value, if its length is known statically. */
  public static Optional<List<Dim>> elements(Graph g, String value) {
    return elements(g, value, 0);
  }

  /** The single element of {@code value} resolved to a number, if it can be. */
  public static OptionalLong scalar(Graph g, String value) {
    Optional<List<Dim>> e = elements(g, value);
    if (e.isEmpty() || e.get().size() != 1) {
      return OptionalLong.empty();
    }
    return resolve(g, e.get().get(0));
  }

  /** A dim as a number: known, or the last dim of a value whose last dim {@link #lastDim} determines. */
  public static OptionalLong resolve(Graph g, Dim d) {
    if (d.known().isPresent()) {
      return d.known();
    }
    if (!d.of().isEmpty() && d.axis() == -1) {
      return lastDim(g, d.of());
    }
    return OptionalLong.empty();
  }

  /** The size of the last axis of {@code value}, where initializers determine it. */
  public static OptionalLong lastDim(Graph g, String value) {
    return lastDim(g, value, 0);
  }

  private static OptionalLong lastDim(Graph g, String value, int depth) {
    if (depth > MAX_DEPTH) {
      return OptionalLong.empty();
    }
    Optional<String> init = g.initializerBehind(value);
    if (init.isPresent()) {
      var s = g.initializer(init.get()).orElseThrow().shape();
      return s.rank() == 0 ? OptionalLong.empty() : OptionalLong.of(s.dim(-1));
    }
    Optional<Node> p = g.producer(value);
    if (p.isEmpty()) {
      return OptionalLong.empty();
    }
    Node n = p.get();
    switch (n.opType()) {
      case "MatMul" -> {
        Optional<String> w = g.initializerBehind(n.input(1));
        if (w.isPresent()) {
          var s = g.initializer(w.get()).orElseThrow().shape();
          return s.rank() >= 2 ? OptionalLong.of(s.dim(-1)) : OptionalLong.empty();
        }
        Optional<Node> t = g.producer(n.input(1));
        if (t.isPresent() && t.get().is("Transpose")) {
          Optional<String> tw = g.initializerBehind(t.get().input(0));
          if (tw.isPresent() && t.get().intsAttribute("perm").equals(Optional.of(List.of(1L, 0L)))) {
            return OptionalLong.of(g.initializer(tw.get()).orElseThrow().shape().dim(0));
          }
        }
        return OptionalLong.empty();
      }
      case "Gemm" -> {
        Optional<String> w = g.initializerBehind(n.input(1));
        if (w.isEmpty()) {
          return OptionalLong.empty();
        }
        var s = g.initializer(w.get()).orElseThrow().shape();
        return s.rank() != 2 ? OptionalLong.empty()
            : OptionalLong.of(n.intAttribute("transB", 0) == 1 ? s.dim(0) : s.dim(1));
      }
      case "Gather" -> {
        Optional<String> w = g.initializerBehind(n.input(0));
        if (w.isPresent() && n.intAttribute("axis", 0) == 0) {
          var s = g.initializer(w.get()).orElseThrow().shape();
          return s.rank() >= 2 ? OptionalLong.of(s.dim(-1)) : OptionalLong.empty();
        }
        return OptionalLong.empty();
      }
      case "Cast", "Identity", "Sigmoid", "Tanh", "Relu", "Neg", "Erf", "Sqrt", "Gelu", "Softmax",
          "LayerNormalization", "SimplifiedLayerNormalization", "RMSNormalization" -> {
        return lastDim(g, n.input(0), depth + 1);
      }
      case "Add", "Sub", "Mul", "Div" -> {
        OptionalLong a = lastDim(g, n.input(0), depth + 1);
        OptionalLong b = lastDim(g, n.input(1), depth + 1);
        if (a.isPresent() && b.isPresent()) {
          return OptionalLong.of(Math.max(a.getAsLong(), b.getAsLong()));
        }
        OptionalLong k = a.isPresent() ? a : b;
        return k.isPresent() && k.getAsLong() > 1 ? k : OptionalLong.empty();
      }
      case "Reshape" -> {
        Optional<List<Dim>> target = elements(g, n.input(1), depth + 1);
        if (target.isEmpty() || target.get().isEmpty()) {
          return OptionalLong.empty();
        }
        OptionalLong last = resolve(g, target.get().get(target.get().size() - 1));
        return last.isPresent() && last.getAsLong() > 0 ? last : OptionalLong.empty();
      }
      default -> {
        return OptionalLong.empty();
      }
    }
  }

  private static Optional<List<Dim>> elements(Graph g, String value, int depth) {
    if (depth > MAX_DEPTH) {
      return Optional.empty();
    }
    Optional<long[]> c = g.constantLongs(value);
    if (c.isPresent()) {
      List<Dim> out = new ArrayList<>();
      for (long v : c.get()) {
        out.add(Dim.known(v));
      }
      return Optional.of(out);
    }
    Optional<Node> p = g.producer(value);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    Node n = p.get();
    switch (n.opType()) {
      case "Shape" -> {
        return shapeSlice(n.input(0), n.intAttribute("start", 0),
            n.attribute("end").isPresent() ? OptionalLong.of(n.intAttribute("end", 0)) : OptionalLong.empty());
      }
      case "Gather" -> {
        Optional<long[]> idx = g.constantLongs(n.input(1));
        if (idx.isEmpty() || idx.get().length != 1 || n.intAttribute("axis", 0) != 0) {
          return Optional.empty();
        }
        long i = idx.get()[0];
        Optional<Node> shape = g.producer(n.input(0)).filter(s -> s.is("Shape"));
        if (shape.isPresent() && shape.get().intAttribute("start", 0) == 0 && shape.get().attribute("end").isEmpty()) {
          return Optional.of(List.of(Dim.dimOf(shape.get().input(0), i)));
        }
        Optional<List<Dim>> data = elements(g, n.input(0), depth + 1);
        if (data.isEmpty()) {
          return Optional.empty();
        }
        long k = i < 0 ? data.get().size() + i : i;
        return k < 0 || k >= data.get().size() ? Optional.empty() : Optional.of(List.of(data.get().get((int) k)));
      }
      case "Slice" -> {
        Optional<long[]> starts = g.constantLongs(n.input(1));
        Optional<long[]> ends = g.constantLongs(n.input(2));
        boolean unitStep = n.input(4).isEmpty()
            || g.constantLongs(n.input(4)).map(s -> s.length == 1 && s[0] == 1).orElse(false);
        if (starts.isEmpty() || ends.isEmpty() || starts.get().length != 1 || ends.get().length != 1 || !unitStep) {
          return Optional.empty();
        }
        Optional<Node> shape = g.producer(n.input(0)).filter(s -> s.is("Shape"));
        if (shape.isPresent() && shape.get().intAttribute("start", 0) == 0 && shape.get().attribute("end").isEmpty()) {
          long e = ends.get()[0];
          return shapeSlice(shape.get().input(0), starts.get()[0],
              e >= Integer.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(e));
        }
        Optional<List<Dim>> data = elements(g, n.input(0), depth + 1);
        if (data.isEmpty()) {
          return Optional.empty();
        }
        int size = data.get().size();
        int s = (int) clamp(starts.get()[0], size);
        int e = (int) clamp(ends.get()[0], size);
        return Optional.of(s >= e ? List.of() : data.get().subList(s, e));
      }
      case "Concat" -> {
        List<Dim> out = new ArrayList<>();
        for (String in : n.inputs()) {
          Optional<List<Dim>> part = elements(g, in, depth + 1);
          if (part.isEmpty()) {
            return Optional.empty();
          }
          out.addAll(part.get());
        }
        return Optional.of(out);
      }
      case "Unsqueeze", "Squeeze", "Cast", "Identity" -> {
        return elements(g, n.input(0), depth + 1);
      }
      case "Add", "Sub", "Mul", "Div" -> {
        Optional<List<Dim>> a = elements(g, n.input(0), depth + 1);
        Optional<List<Dim>> b = elements(g, n.input(1), depth + 1);
        if (a.isEmpty() || b.isEmpty() || a.get().size() != 1 || b.get().size() != 1) {
          return Optional.empty();
        }
        OptionalLong x = resolve(g, a.get().get(0));
        OptionalLong y = resolve(g, b.get().get(0));
        if (x.isEmpty() || y.isEmpty()) {
          return Optional.of(List.of(Dim.unknown()));
        }
        long l = x.getAsLong();
        long r = y.getAsLong();
        long v = switch (n.opType()) {
          case "Add" -> l + r;
          case "Sub" -> l - r;
          case "Mul" -> l * r;
          default -> r == 0 ? Long.MIN_VALUE : l / r; // ONNX integer Div truncates
        };
        return Optional.of(List.of(v == Long.MIN_VALUE ? Dim.unknown() : Dim.known(v)));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static Optional<List<Dim>> shapeSlice(String of, long start, OptionalLong end) {
    List<Dim> out = new ArrayList<>();
    if (end.isEmpty()) {
      if (start >= 0) {
        return Optional.empty(); // rank unknown
      }
      for (long a = start; a < 0; a++) {
        out.add(Dim.dimOf(of, a));
      }
      return Optional.of(out);
    }
    long e = end.getAsLong();
    if (start < 0 != e < 0 && e != 0) {
      return Optional.empty();
    }
    for (long a = start; a < e; a++) {
      out.add(Dim.dimOf(of, a));
    }
    return Optional.of(out);
  }

  private static long clamp(long i, int size) {
    long k = i < 0 ? size + i : i;
    return Math.max(0, Math.min(size, k));
  }
}

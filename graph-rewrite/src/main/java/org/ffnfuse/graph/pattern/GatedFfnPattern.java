package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * Gated FFN (SwiGLU, GeGLU, ReGLU), anchored at the down projection's MatMul/Gemm/MatMulNBits:
 *
 * <pre>
 *   x ─┬─ gate ─ act ─┐                         x ─ gate_up ─┬─ Slice/Split[0:w] ─ act ─┐
 *      └─ up ─────────┴─ Mul ─ down ─ y    or                 └─ Slice/Split[w:2w] ──────┴─ Mul ─ down ─ y
 * </pre>
 *
 * The activation is identified by {@link Activations} in any decomposition; projections by {@link Linears} in any
 * orientation. The projections' sizes must agree (gate.out = up.out = down.in, gate.in = up.in = down.out); for a
 * fused gate_up this also proves the split runs along the feature axis.
 */
public final class GatedFfnPattern implements Pattern<FfnMatch> {
  @Override
  public String name() {
    return "GatedFfn";
  }

  @Override
  public String anchorOp() {
    return "MatMul";
  }

  @Override
  public boolean isAnchor(Node n) {
    return n.is("MatMul") || n.is("Gemm") || n.is("com.microsoft", "MatMulNBits");
  }

  @Override
  public Match<FfnMatch> match(Graph g, Node anchor) {
    Match<LinearMatch> downM = Linears.projectionAt(g, anchor, "the down projection");
    if (!(downM instanceof Match.Found<LinearMatch> df)) {
      return downM.map(x -> null);
    }
    LinearMatch down = df.result();
    Optional<Node> mul = g.producer(down.input()).filter(n -> n.is("Mul"));
    if (mul.isEmpty()) {
      return Match.miss(g.producer(down.input()).map(Node::toString).orElse(down.input()),
          "expected Mul(act(gate), up) feeding the down projection");
    }
    Match<FfnMatch> last = Match.miss(mul.get(), "neither Mul operand is an activated gate");
    for (int order = 0; order < 2; order++) {
      String a = mul.get().input(order);
      String b = mul.get().input(1 - order);
      Match<ActivationMatch> act = Activations.at(g, a);
      if (!(act instanceof Match.Found<ActivationMatch> af) || af.result().activation() == Activation.IDENTITY) {
        continue;
      }
      Match<ActivationMatch> upAct = Activations.at(g, b);
      if (!(upAct instanceof Match.Found<ActivationMatch> uf) || uf.result().activation() != Activation.IDENTITY) {
        last = Match.miss(mul.get(), "operand " + b + " is not a plain projection");
        continue;
      }
      last = withProjections(g, anchor, down, mul.get(), af.result(), uf.result());
      if (last.isFound()) {
        return last;
      }
    }
    return last;
  }

  private Match<FfnMatch> withProjections(Graph g, Node anchor, LinearMatch down, Node mul, ActivationMatch act,
      ActivationMatch upAct) {
    FfnKind kind = switch (act.activation()) {
      case SILU -> FfnKind.SWIGLU;
      case GELU, GELU_TANH, QUICK_GELU -> FfnKind.GEGLU;
      case RELU -> FfnKind.REGLU;
      default -> null;
    };
    if (kind == null) {
      return Match.miss(mul, "unsupported gate activation " + act.activation());
    }
    List<List<Node>> parts = new ArrayList<>(List.of(down.nodes(), List.of(mul), act.nodes(), upAct.nodes()));
    Optional<Node> gs = g.producer(act.input()).filter(n -> n.is("Slice") || n.is("Split"));
    Optional<Node> us = g.producer(upAct.input()).filter(n -> n.is("Slice") || n.is("Split"));
    if (gs.isPresent() && us.isPresent() && gs.get().input(0).equals(us.get().input(0))) {
      Match<LinearMatch> gu = Linears.at(g, gs.get().input(0));
      if (!(gu instanceof Match.Found<LinearMatch> guf)) {
        return gu.map(x -> null);
      }
      LinearMatch lin = guf.result();
      Optional<long[]> gr = range(g, gs.get(), act.input(), lin.out());
      Optional<long[]> ur = range(g, us.get(), upAct.input(), lin.out());
      if (gr.isEmpty() || ur.isEmpty()) {
        return Match.miss(gs.get(), "cannot determine the gate/up split of " + lin.output() + " statically");
      }
      long w = gr.get()[1] - gr.get()[0];
      if (ur.get()[1] - ur.get()[0] != w || Math.max(gr.get()[0], ur.get()[0]) < Math.min(gr.get()[1], ur.get()[1])) {
        return Match.miss(gs.get(), "gate and up parts of " + lin.output() + " are not disjoint halves of equal size");
      }
      if (act.bias().isPresent()) {
        return Match.miss(mul, "activation bias on a fused gate_up projection is not supported");
      }
      parts.add(lin.nodes());
      parts.add(gs.get() == us.get() ? List.of(gs.get()) : List.of(gs.get(), us.get()));
      parts.add(ShapeArithmetic.computation(g, List.of(gs.get(), us.get())));
      FusedGateUp fused = new FusedGateUp(lin, gr.get()[0], ur.get()[0], w, gs.get() == us.get()
          ? List.of(gs.get()) : List.of(gs.get(), us.get()));
      FfnMatch m = new FfnMatch(kind, act.activation(), lin.input(), down.output(), lin.in(), w, Optional.empty(),
          Optional.empty(), Optional.of(fused), down, Optional.empty(), Ffns.concat(parts));
      return Ffns.finish(g, anchor, m, lin.in(), w);
    }
    Match<LinearMatch> gateM = Linears.at(g, act.input());
    Match<LinearMatch> upM = Linears.at(g, upAct.input());
    if (!(gateM instanceof Match.Found<LinearMatch> gf)) {
      return gateM.map(x -> null);
    }
    if (!(upM instanceof Match.Found<LinearMatch> uf)) {
      return upM.map(x -> null);
    }
    LinearMatch gate = gf.result();
    LinearMatch up = uf.result();
    if (!gate.input().equals(up.input())) {
      return Match.miss(mul, "gate reads " + gate.input() + " but up reads " + up.input());
    }
    if (gate.in() != up.in() || gate.out() != up.out()) {
      return Match.miss(mul, "shape mismatch: gate " + gate.in() + "→" + gate.out() + ", up " + up.in() + "→"
          + up.out());
    }
    if (act.bias().isPresent() && gate.bias().isPresent()) {
      return Match.miss(mul, "gate has two biases");
    }
    parts.add(gate.nodes());
    parts.add(up.nodes());
    FfnMatch m = new FfnMatch(kind, act.activation(), gate.input(), down.output(), gate.in(), gate.out(),
        Optional.of(gate), Optional.of(up), Optional.empty(), down, act.bias(), Ffns.concat(parts));
    return Ffns.finish(g, anchor, m, gate.in(), gate.out());
  }

  /** [start, end) along the split axis of the part of {@code data} that {@code value} is. */
  static Optional<long[]> range(Graph g, Node n, String value, long size) {
    if (n.is("Split")) {
      int k = n.outputs().indexOf(value);
      int parts = n.outputs().size();
      long[] sizes;
      Optional<long[]> given = n.input(1).isEmpty() ? n.intsAttribute("split").map(l ->
          l.stream().mapToLong(Long::longValue).toArray()) : g.constantLongs(n.input(1));
      if (given.isPresent()) {
        sizes = given.get();
      } else if (size % parts == 0) {
        sizes = new long[parts];
        java.util.Arrays.fill(sizes, size / parts);
      } else {
        return Optional.empty();
      }
      if (sizes.length != parts || java.util.Arrays.stream(sizes).sum() != size) {
        return Optional.empty();
      }
      long offset = 0;
      for (int i = 0; i < k; i++) {
        offset += sizes[i];
      }
      return Optional.of(new long[] {offset, offset + sizes[k]});
    }
    if (!n.input(4).isEmpty() && ShapeArithmetic.scalar(g, n.input(4)).orElse(0) != 1) {
      return Optional.empty();
    }
    if (!n.input(3).isEmpty() && ShapeArithmetic.elements(g, n.input(3)).map(List::size).orElse(0) != 1) {
      return Optional.empty();
    }
    OptionalLong s = ShapeArithmetic.scalar(g, n.input(1));
    OptionalLong e = ShapeArithmetic.scalar(g, n.input(2));
    if (s.isEmpty() || e.isEmpty()) {
      return Optional.empty();
    }
    long start = clamp(s.getAsLong(), size);
    long end = clamp(e.getAsLong(), size);
    return end > start ? Optional.of(new long[] {start, end}) : Optional.empty();
  }

  private static long clamp(long i, long size) {
    long k = i < 0 ? size + i : i;
    return Math.max(0, Math.min(size, k));
  }
}

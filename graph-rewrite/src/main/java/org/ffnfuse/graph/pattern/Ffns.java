package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/** Entry point for FFN recognition: tries {@link GatedFfnPattern} then {@link MlpFfnPattern}. */
public final class Ffns {
  private static final GatedFfnPattern GATED = new GatedFfnPattern();
  private static final MlpFfnPattern MLP = new MlpFfnPattern();

  private Ffns() {}

  /** The FFN whose final output is {@code value}. */
  public static Match<FfnMatch> producing(Graph g, String value) {
    Optional<Node> core = downCore(g, value);
    if (core.isEmpty()) {
      return Match.miss(g.producer(value).map(Node::toString).orElse(value),
          "no MatMul/Gemm with an initializer weight produces " + value);
    }
    Match<FfnMatch> gated = GATED.match(g, core.get());
    if (gated.isFound()) {
      return gated;
    }
    Match<FfnMatch> mlp = MLP.match(g, core.get());
    if (mlp.isFound()) {
      return mlp;
    }
    return Match.miss(core.get(), "not a gated FFN (" + gated + ") nor an MLP (" + mlp + ")");
  }

  /** The MatMul/Gemm under an optional unflatten Reshape and bias Add producing {@code value}. */
  static Optional<Node> downCore(Graph g, String value) {
    String v = value;
    for (int i = 0; i < 3; i++) {
      Optional<Node> p = g.producer(v);
      if (p.isEmpty()) {
        return Optional.empty();
      }
      if (Linears.isCore(g, p.get())) {
        return p;
      }
      if (!p.get().is("Reshape") && !p.get().is("Add")) {
        return Optional.empty();
      }
      v = p.get().input(0);
      if (p.get().is("Add") && g.producer(v).map(n -> !Linears.isCore(g, n)).orElse(true)) {
        v = p.get().input(1);
      }
    }
    return Optional.empty();
  }

  /** Common tail of the FFN patterns: dimension checks and the is-safe-to-fuse check. */
  static Match<FfnMatch> finish(Graph g, Node anchor, FfnMatch m, long firstIn, long firstOut) {
    if (firstIn != m.down().out() || firstOut != m.down().in()) {
      return Match.miss(anchor, "shape mismatch: first projection " + firstIn + "→" + firstOut
          + " does not fit down projection " + m.down().in() + "→" + m.down().out());
    }
    List<String> kept = List.of(m.output());
    Optional<String> escape = SafeFusion.escapingValue(g, m.nodes(), kept);
    return escape.isPresent() ? Match.miss(anchor, escape.get()) : Match.found(m);
  }

  static List<Node> concat(List<List<Node>> parts) {
    List<Node> out = new ArrayList<>();
    for (List<Node> p : parts) {
      for (Node n : p) {
        if (out.stream().noneMatch(o -> o == n)) {
          out.add(n);
        }
      }
    }
    return out;
  }
}

package org.ffnfuse.graph.pattern;

import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * An add of zeros, as exporters write a removed attention branch:
 *
 * <pre>
 *   x ─┬──────────────────────────────────────── Add ─ y  (= x)
 *      └─ Shape ─ ConstantOfShape(0) | Expand(0, ·) ┘
 * </pre>
 *
 * Also a zero constant operand. The zeros' shape must come from {@code x} itself (so the add cannot broadcast x to a
 * larger shape), or be a constant that cannot broadcast (one element).
 */
public final class ZeroAddPattern implements Pattern<ZeroAddMatch> {
  @Override
  public String name() {
    return "ZeroAdd";
  }

  @Override
  public String anchorOp() {
    return "Add";
  }

  @Override
  public boolean isAnchor(Node n) {
    return n.is("Add");
  }

  @Override
  public Match<ZeroAddMatch> match(Graph g, Node anchor) {
    for (int i = 0; i < 2; i++) {
      String x = anchor.input(i);
      String z = anchor.input(1 - i);
      if (zerosShapedLike(g, z, x)) {
        return Match.found(new ZeroAddMatch(anchor, x, anchor.output(0)));
      }
    }
    return Match.miss(anchor, "neither operand is zeros shaped like the other");
  }

  private static boolean zerosShapedLike(Graph g, String z, String x) {
    Optional<float[]> c = g.constantFloats(z);
    if (c.isPresent()) {
      return c.get().length == 1 && c.get()[0] == 0;
    }
    Optional<Node> p = g.producer(z);
    if (p.isEmpty()) {
      return false;
    }
    Node n = p.get();
    String shape;
    if (n.is("ConstantOfShape")) {
      Optional<float[]> v = n.tensorAttribute("value").flatMap(org.ffnfuse.graph.ir.TensorProtos::decodeEmbedded)
          .filter(t -> t.dtype().convertsToFloat()).map(t -> {
            try {
              return t.toFloats();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e); // heap tensors do not fail
            }
          });
      if (n.tensorAttribute("value").isPresent() && (v.isEmpty() || v.get().length != 1 || v.get()[0] != 0)) {
        return false;
      }
      shape = n.input(0);
    } else if (n.is("Expand")) {
      Optional<float[]> v = g.constantFloats(n.input(0));
      if (v.isEmpty() || v.get().length != 1 || v.get()[0] != 0) {
        return false;
      }
      shape = n.input(1);
    } else {
      return false;
    }
    Optional<Node> s = g.producer(shape);
    return s.isPresent() && s.get().is("Shape") && s.get().input(0).equals(x)
        && s.get().intAttribute("start", 0) == 0 && s.get().attribute("end").isEmpty();
  }
}

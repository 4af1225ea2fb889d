package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.pattern.Expr.any;
import static org.ffnfuse.graph.pattern.Expr.casts;
import static org.ffnfuse.graph.pattern.Expr.initializer;
import static org.ffnfuse.graph.pattern.Expr.oneOf;
import static org.ffnfuse.graph.pattern.Expr.op;
import static org.ffnfuse.graph.pattern.Expr.scalar;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * Decomposed RMSNorm as both PyTorch exporters write it, anchored at the final gain {@code Mul}:
 *
 * <pre>
 *   x ──[Cast]──┬──────────────────────────────────────────── Mul ──[Cast]── Mul ── y
 *               └─ Pow(2) ─ ReduceMean(-1) ─ Add(eps) ─ Sqrt ─ Reciprocal ┘       │
 *                  (or Mul(x,x))                         (or Div(1,·); or x / Sqrt)  w  (or Add(w, 1): Gemma)
 * </pre>
 *
 * The gain is an initializer of shape [hidden], possibly a pre-folded {@code 1+w}; an explicit {@code Add(w, 1)} is
 * recorded as {@link NormMatch#gainOffset()} 1.
 */
public final class RmsNormPattern implements Pattern<NormMatch> {
  private static final Expr EXPR = build();

  @Override
  public String name() {
    return "RmsNorm";
  }

  @Override
  public String anchorOp() {
    return "Mul";
  }

  @Override
  public boolean isAnchor(Node n) {
    return n.is("Mul");
  }

  @Override
  public Match<NormMatch> match(Graph g, Node anchor) {
    Expr.Failure failure = new Expr.Failure();
    List<Bindings> all = EXPR.matchAll(g, anchor.output(0), failure);
    Match<NormMatch> last = failure.toMiss();
    for (Bindings b : all) {
      double offset = b.optionalScalar("one_w").orElse(0.0);
      NormMatch m = new NormMatch(NormKind.RMS_NORM, NormForm.DECOMPOSED, b.value("x"), Optional.empty(),
          anchor.output(0), Optional.empty(), Optional.of(b.value("weight")), Optional.empty(), offset,
          b.scalar("eps"), b.matched());
      last = Norms.finish(g, anchor, m);
      if (last.isFound()) {
        return last;
      }
    }
    return last;
  }

  private static Expr build() {
    Expr x = casts(any("x"));
    Expr square = oneOf(op("Pow", x, scalar("two", 2)), op("Mul", x, x));
    Expr meanSquare = op("ReduceMean", square).where(Norms::reducesLastAxis, "ReduceMean over axes [-1], keepdims");
    Expr variance = op("Add", meanSquare, scalar("eps", v -> v > 0 && v <= Norms.MAX_EPSILON,
        "0 < eps <= " + Norms.MAX_EPSILON)).commutative();
    Expr root = op("Sqrt", variance);
    Expr inverse = oneOf(op("Reciprocal", root), op("Div", scalar("one", 1), root));
    Expr normalized = oneOf(op("Mul", x, inverse).commutative(), op("Div", x, root));
    Expr gain = oneOf(casts(initializer("weight")),
        op("Add", casts(initializer("weight")), scalar("one_w", 1)).commutative());
    return op("Mul", casts(normalized), gain).commutative();
  }
}

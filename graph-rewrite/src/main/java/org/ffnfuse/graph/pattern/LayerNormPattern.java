package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.pattern.Expr.any;
import static org.ffnfuse.graph.pattern.Expr.casts;
import static org.ffnfuse.graph.pattern.Expr.initializer;
import static org.ffnfuse.graph.pattern.Expr.oneOf;
import static org.ffnfuse.graph.pattern.Expr.op;
import static org.ffnfuse.graph.pattern.Expr.scalar;

import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * Decomposed LayerNorm with gain and bias, anchored at the bias {@code Add}:
 *
 * <pre>
 *   x ─┬─ ReduceMean(-1) ─┐
 *      └──────────────── Sub ─┬─ Pow(2) ─ ReduceMean(-1) ─ Add(eps) ─ Sqrt ─┐
 *                             └──────────────────────────────────────── Div ─ Mul(w) ─ Add(b) ─ y
 * </pre>
 */
public final class LayerNormPattern implements Pattern<NormMatch> {
  private static final Expr EXPR = build();

  @Override
  public String name() {
    return "LayerNorm";
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
  public Match<NormMatch> match(Graph g, Node anchor) {
    Expr.Failure failure = new Expr.Failure();
    Match<NormMatch> last = failure.toMiss();
    for (Bindings b : EXPR.matchAll(g, anchor.output(0), failure)) {
      NormMatch m = new NormMatch(NormKind.LAYER_NORM, NormForm.DECOMPOSED, b.value("x"), Optional.empty(),
          anchor.output(0), Optional.empty(), Optional.of(b.value("weight")), Optional.of(b.value("bias")), 0,
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
    Expr mean = op("ReduceMean", x).where(Norms::reducesLastAxis, "ReduceMean over axes [-1], keepdims");
    Expr centered = op("Sub", x, mean);
    Expr square = oneOf(op("Pow", centered, scalar("two", 2)), op("Mul", centered, centered));
    Expr variance = op("ReduceMean", square).where(Norms::reducesLastAxis, "ReduceMean over axes [-1], keepdims");
    Expr root = op("Sqrt", op("Add", variance, scalar("eps", v -> v > 0 && v <= Norms.MAX_EPSILON,
        "0 < eps <= " + Norms.MAX_EPSILON)).commutative());
    Expr normalized = oneOf(op("Div", centered, root), op("Mul", centered, op("Reciprocal", root)).commutative());
    Expr scaled = op("Mul", casts(normalized), casts(initializer("weight"))).commutative();
    return op("Add", scaled, initializer("bias")).commutative();
  }
}

package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * Two-layer MLP (GPT-2, GPT-NeoX, Phi-2), anchored at the second projection's MatMul/Gemm:
 *
 * <pre>
 *   x ─ fc1 (+b1) ─ act ─ fc2 (+b2) ─ y        act: GELU (erf or tanh, any decomposition, Gelu/FastGelu/BiasGelu), ReLU, SiLU
 * </pre>
 */
public final class MlpFfnPattern implements Pattern<FfnMatch> {
  @Override
  public String name() {
    return "MlpFfn";
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
    Match<LinearMatch> downM = Linears.projectionAt(g, anchor, "fc2");
    if (!(downM instanceof Match.Found<LinearMatch> df)) {
      return downM.map(x -> null);
    }
    LinearMatch down = df.result();
    Match<ActivationMatch> actM = Activations.at(g, down.input());
    if (!(actM instanceof Match.Found<ActivationMatch> af)) {
      return actM.map(x -> null);
    }
    ActivationMatch act = af.result();
    FfnKind kind = switch (act.activation()) {
      case GELU, GELU_TANH, QUICK_GELU -> FfnKind.GELU_MLP;
      case RELU -> FfnKind.RELU_MLP;
      case SILU -> FfnKind.SILU_MLP;
      default -> null;
    };
    if (kind == null) {
      return Match.miss(anchor, "fc2 reads " + down.input() + ", which is not an activation of a projection");
    }
    Match<LinearMatch> fc1M = Linears.at(g, act.input());
    if (!(fc1M instanceof Match.Found<LinearMatch> ff)) {
      return fc1M.map(x -> null);
    }
    LinearMatch fc1 = ff.result();
    if (act.bias().isPresent() && fc1.bias().isPresent()) {
      return Match.miss(anchor, "fc1 has two biases");
    }
    FfnMatch m = new FfnMatch(kind, act.activation(), fc1.input(), down.output(), fc1.in(), fc1.out(),
        Optional.empty(), Optional.of(fc1), Optional.empty(), down, act.bias(),
        Ffns.concat(List.of(down.nodes(), act.nodes(), fc1.nodes())));
    return Ffns.finish(g, anchor, m, fc1.in(), fc1.out());
  }
}

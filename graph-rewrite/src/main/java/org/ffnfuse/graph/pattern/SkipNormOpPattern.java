package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * ONNX Runtime's normalization fused with the residual add ({@code com.microsoft}), anchored at it:
 *
 * <pre>
 *   input ─┐
 *   skip ──┴─ SkipLayerNormalization(gamma, beta?, bias?) ─┬─ output 0: LayerNorm(input + skip + bias)
 *             SkipSimplifiedLayerNormalization(gamma, bias?) └─ output 3: input + skip + bias (the residual sum)
 * </pre>
 *
 * Either summand may be the residual stream (the GenAI builder puts it first, ONNX Runtime's optimizer second). The
 * bias, a float {@code [hidden]} initializer, is recorded as {@link NormMatch#skipBias()}.
 */
public final class SkipNormOpPattern implements Pattern<NormMatch> {
  @Override
  public String name() {
    return "SkipNormOp";
  }

  @Override
  public String anchorOp() {
    return "com.microsoft.SkipLayerNormalization";
  }

  @Override
  public boolean isAnchor(Node n) {
    return n.is("com.microsoft", "SkipLayerNormalization") || n.is("com.microsoft", "SkipSimplifiedLayerNormalization");
  }

  @Override
  public Match<NormMatch> match(Graph g, Node anchor) {
    if (!isAnchor(anchor)) {
      return Match.miss(anchor, "expected com.microsoft SkipLayerNormalization or SkipSimplifiedLayerNormalization");
    }
    boolean layer = anchor.opType().equals("SkipLayerNormalization");
    Optional<String> gamma = g.initializerBehind(anchor.input(2));
    if (gamma.isEmpty()) {
      return Match.miss(anchor, "gamma " + anchor.input(2) + " is not an initializer");
    }
    Optional<String> beta = Optional.empty();
    if (layer && !anchor.input(3).isEmpty()) {
      beta = g.initializerBehind(anchor.input(3));
      if (beta.isEmpty()) {
        return Match.miss(anchor, "beta " + anchor.input(3) + " is not an initializer");
      }
    }
    String biasInput = anchor.input(layer ? 4 : 3);
    Optional<String> skipBias = g.initializerBehind(biasInput);
    if (!biasInput.isEmpty() && skipBias.isEmpty()) {
      return Match.miss(anchor, "bias " + biasInput + " added before normalizing is not an initializer");
    }
    Optional<String> sum = anchor.output(3).isEmpty() ? Optional.empty() : Optional.of(anchor.output(3));
    NormMatch m = new NormMatch(layer ? NormKind.LAYER_NORM : NormKind.RMS_NORM, NormForm.SKIP_OPERATOR,
        anchor.input(0), Optional.of(anchor.input(1)), anchor.output(0), sum, gamma, beta, 0,
        anchor.floatAttribute("epsilon", 1e-5f), List.of(anchor), skipBias);
    String biasProblem = skipBias.map(b -> Norms.gainProblem(g, gamma, skipBias)).orElse(null);
    if (biasProblem != null) {
      return Match.miss(anchor, biasProblem);
    }
    String problem = Norms.gainProblem(g, gamma, beta);
    return problem == null ? Match.found(m) : Match.miss(anchor, problem);
  }
}

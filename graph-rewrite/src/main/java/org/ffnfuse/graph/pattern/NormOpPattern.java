package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * A normalization written as one operator, anchored at it:
 *
 * <pre>
 *   x ── LayerNormalization(w, b) ── y          (ONNX, opset 17)
 *   x ── SimplifiedLayerNormalization(w) ── y   (ONNX Runtime's RMSNorm, registered in the default domain)
 *   x ── RMSNormalization(w) ── y               (ONNX, opset 23)
 * </pre>
 *
 * The normalized axis must be the last one ({@code axis} -1).
 */
public final class NormOpPattern implements Pattern<NormMatch> {
  @Override
  public String name() {
    return "NormOp";
  }

  @Override
  public String anchorOp() {
    return "LayerNormalization";
  }

  @Override
  public boolean isAnchor(Node n) {
    return n.domain().isEmpty() && (n.opType().equals("LayerNormalization")
        || n.opType().equals("SimplifiedLayerNormalization") || n.opType().equals("RMSNormalization"));
  }

  @Override
  public Match<NormMatch> match(Graph g, Node anchor) {
    if (!isAnchor(anchor)) {
      return Match.miss(anchor, "expected LayerNormalization, SimplifiedLayerNormalization or RMSNormalization");
    }
    if (anchor.intAttribute("axis", -1) != -1) {
      return Match.miss(anchor, "normalizes axis " + anchor.intAttribute("axis", -1) + ", expected -1");
    }
    Optional<String> weight = g.initializerBehind(anchor.input(1));
    if (weight.isEmpty()) {
      return Match.miss(anchor, "scale " + anchor.input(1) + " is not an initializer");
    }
    boolean layer = anchor.opType().equals("LayerNormalization");
    Optional<String> bias = Optional.empty();
    if (layer && !anchor.input(2).isEmpty()) {
      bias = g.initializerBehind(anchor.input(2));
      if (bias.isEmpty()) {
        return Match.miss(anchor, "bias " + anchor.input(2) + " is not an initializer");
      }
    }
    NormMatch m = new NormMatch(layer ? NormKind.LAYER_NORM : NormKind.RMS_NORM, NormForm.OPERATOR, anchor.input(0),
        Optional.empty(), anchor.output(0), Optional.empty(), weight, bias, 0,
        anchor.floatAttribute("epsilon", 1e-5f), List.of(anchor));
    String problem = Norms.gainProblem(g, weight, bias);
    return problem == null ? Match.found(m) : Match.miss(anchor, problem);
  }
}

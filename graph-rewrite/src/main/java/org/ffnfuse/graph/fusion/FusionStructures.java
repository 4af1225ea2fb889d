package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.NormForm;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.FfnBranch;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/** What the graph passes of this package need from a recognized structure. */
final class FusionStructures {
  private FusionStructures() {}

  /**
   * Recognizes {@code g}.
   *
   * @throws IllegalArgumentException with the recognizer's diagnosis (callers that read untrusted files recognize
   *     first and report a checked error; a pass only sees graphs it was asked to transform)
   */
  static TransformerStructure recognize(Graph g, String pass) {
    try {
      return TransformerStructure.recognize(g);
    } catch (UnrecognizedGraphException e) {
      throw new IllegalArgumentException(pass + " needs a recognized transformer graph: " + e.getMessage(), e);
    }
  }

  /** What each block holds, for {@link FusionPlan#check}. */
  static List<BlockRole> roles(TransformerStructure s) {
    return s.blocks().stream().map(b -> new BlockRole(b.attention().isPresent(), b.ffn().isPresent())).toList();
  }

  /**
   * The FFN branches of chain {@code c} (the plan was checked against {@code s}).
   *
   * @throws IllegalArgumentException if a member is a parallel-residual block or joins the stream through an ORT
   *     Skip*Normalization op rather than a plain Add, or has block-quantized weights
   */
  static List<FfnBranch> members(TransformerStructure s, ChainRange c) {
    List<FfnBranch> out = new ArrayList<>();
    for (int k = c.first(); k <= c.last(); k++) {
      Block b = s.block(k);
      checkArgument(!b.parallelResidual(), "chain %s: block %s has a parallel residual (attention and FFN read the"
          + " same stream), so its FFN is not a separate step of the stream and cannot be fused", c, k);
      checkArgument(b.ffn().isPresent(), "chain %s: block %s has no FFN", c, k);
      FfnBranch f = b.ffn().get();
      checkArgument(f.residual().add().is("Add") && f.residual().output().isPresent()
              && f.norm().form() != NormForm.SKIP_OPERATOR,
          "chain %s: block %s's FFN joins the residual stream through %s (norm %s); only plain Add residuals and"
              + " separate norms are supported (fuse the graph before ONNX Runtime's transformer optimizer)", c, k,
          f.residual().add(), f.norm().form());
      checkArgument(!quantized(f.ffn()), "chain %s: block %s's FFN has block-quantized"
          + " (MatMulNBits) weights; fusing quantized FFNs is not supported yet (fuse before quantizing)", c, k);
      out.add(f);
    }
    return out;
  }

  private static boolean quantized(FfnMatch f) {
    List<LinearMatch> ls = new ArrayList<>(List.of(f.down()));
    f.gate().ifPresent(ls::add);
    f.up().ifPresent(ls::add);
    f.gateUp().ifPresent(x -> ls.add(x.linear()));
    return ls.stream().anyMatch(l -> l.quantization().isPresent());
  }
}

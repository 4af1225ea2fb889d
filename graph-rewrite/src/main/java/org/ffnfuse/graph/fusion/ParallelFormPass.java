package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.ir.Rewriter;
import org.ffnfuse.graph.pass.Pass;
import org.ffnfuse.graph.pass.PassResult;
import org.ffnfuse.graph.structure.FfnBranch;
import org.ffnfuse.graph.structure.TransformerStructure;

/**
 * The parallel form of each chain {@code s..e}, by rewiring only (no weight is read or computed): every member's norm
 * reads the stream value {@code x_s} entering the chain, and the members' outputs are summed onto it,
 * {@code x_e+1 = Sum(x_s, h_s(x_s), …, h_e(x_s))}. This is what FFN Fusion computes in one wide FFN, so it is the
 * independent reference for {@link FfnFusionPass}'s exactness; its distance from the sequential model is the drift
 * fusion causes.
 *
 * <pre>
 *   x_s ─┬────── Add ─┬──────── Add ─ x_e+1        x_s ─┬──────────────────── Sum ─ x_e+1
 *        └─ h_s ─┘    └─ h_s+1 ─┘            ⇒          ├─ h_s ───────────────┤
 *                                                       └─ h_s+1 ─────────────┘
 * </pre>
 */
public final class ParallelFormPass implements Pass {
  private final FusionPlan plan;

  private ParallelFormPass(FusionPlan plan) {
    this.plan = plan;
  }

  /** The pass for {@code plan}'s chains. */
  public static ParallelFormPass of(FusionPlan plan) {
    return new ParallelFormPass(checkNotNull(plan));
  }

  @Override
  public String name() {
    return "ParallelForm";
  }

  /**
   * Rewires every chain of the plan.
   *
   * @throws IllegalArgumentException if {@code g} is not recognized or the plan does not apply to it
   */
  @Override
  public PassResult run(Graph g) {
    TransformerStructure s = FusionStructures.recognize(g, name());
    plan.check(FusionStructures.roles(s));
    Rewriter r = g.rewriter();
    int ffns = 0;
    for (ChainRange c : plan.chains()) {
      List<FfnBranch> members = FusionStructures.members(s, c);
      String stream = members.get(0).residual().stream();
      FfnBranch last = members.get(members.size() - 1);
      NodeProto.Builder sum = NodeProto.newBuilder().setOpType("Sum")
          .setName(r.uniqueNodeName("/parallel_form." + c.first() + "-" + c.last() + "/Sum")).addInput(stream)
          .addOutput(last.residual().output().orElseThrow());
      for (FfnBranch m : members) {
        Node add = m.residual().add();
        String in = m.residual().stream();
        sum.addInput(add.input(0).equals(in) ? add.input(1) : add.input(0));
        r.remove(add);
        if (m != last) {
          r.replaceUses(m.residual().output().orElseThrow(), stream);
        }
      }
      r.addBefore(last.residual().add(), sum.build());
      ffns += c.length();
    }
    Graph out = r.removeDeadNodes().apply();
    return new PassResult(out, String.format("%s: %d chain(s), %d FFNs read their chain's input", name(),
        plan.chains().size(), ffns));
  }
}

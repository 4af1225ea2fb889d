package org.ffnfuse.graph.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pass.Pass;
import org.ffnfuse.graph.pass.PassResult;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/**
 * Removes the attention sub-block of chosen blocks ({@link BranchRemoval}): what {@code ffnfuse drop-attention} does
 * to ONNX input. Blocks that have no attention are left as they are.
 */
public final class AttentionRemovalPass implements Pass {
  private final Set<Integer> blocks;

  private AttentionRemovalPass(Set<Integer> blocks) {
    this.blocks = Collections.unmodifiableSet(new TreeSet<>(blocks));
  }

  /** A pass removing the attention of {@code blocks} (indices from 0). */
  public static AttentionRemovalPass of(Set<Integer> blocks) {
    checkArgument(!blocks.isEmpty(), "no blocks to remove attention from");
    return new AttentionRemovalPass(blocks);
  }

  @Override
  public String name() {
    return "AttentionRemoval";
  }

  /**
   * Recognizes {@code g} and removes the attention branches.
   *
   * @throws IllegalArgumentException if {@code g} is not a recognized transformer (with the recognizer's diagnosis)
   *     or a block index is out of range
   */
  @Override
  public PassResult run(Graph g) {
    TransformerStructure s;
    try {
      s = TransformerStructure.recognize(g);
    } catch (UnrecognizedGraphException e) {
      throw new IllegalArgumentException("attention removal needs a recognized transformer graph: "
          + e.getMessage(), e);
    }
    BranchRemoval.Result r = BranchRemoval.remove(g, s, blocks, Set.of());
    return new PassResult(r.graph(), name() + ": removed attention from blocks " + r.attentionRemoved() + " ("
        + (g.nodes().size() - r.graph().nodes().size()) + " nodes" + (r.droppedInputs().isEmpty() ? ""
            : ", dropped " + r.droppedInputs().size() + " cache inputs and " + r.droppedOutputs().size()
                + " outputs") + ")");
  }
}

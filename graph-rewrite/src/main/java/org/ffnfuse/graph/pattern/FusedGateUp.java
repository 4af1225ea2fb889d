package org.ffnfuse.graph.pattern;

import java.util.List;
import org.ffnfuse.graph.ir.Node;

/**
 * One projection computing gate and up together (Phi-3's {@code gate_up_proj}), split by Slice or Split along its
 * output features.
 *
 * @param linear the fused projection ({@code out} = 2 × width)
 * @param gateOffset first output feature of the gate half
 * @param upOffset first output feature of the up half
 * @param width features in each half
 * @param splitNodes the Slice/Split nodes
 */
public record FusedGateUp(LinearMatch linear, long gateOffset, long upOffset, long width, List<Node> splitNodes) {
  public FusedGateUp {
    splitNodes = List.copyOf(splitNodes);
  }
}

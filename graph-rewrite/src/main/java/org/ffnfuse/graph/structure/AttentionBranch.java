package org.ffnfuse.graph.structure;

import java.util.List;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.NormMatch;

/**
 * An attention branch of the residual stream.
 *
 * @param kind {@code decomposed} (MatMul/Softmax from the exporters) or the fused op's name
 *     ({@code GroupQueryAttention}, {@code MultiHeadAttention}, {@code Attention})
 * @param norm the norm the branch reads
 * @param output the value added to the stream
 * @param nodes the nodes between the norm and the residual add
 * @param residual where its output joins the residual stream
 */
public record AttentionBranch(String kind, NormMatch norm, String output, List<Node> nodes, Residual residual) {
  public AttentionBranch {
    nodes = List.copyOf(nodes);
  }
}

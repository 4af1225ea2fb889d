package org.ffnfuse.graph.structure;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.NormMatch;

/**
 * The recognized structure of a decoder-only transformer LM graph.
 *
 * @param embedding the token embedding starting the residual stream
 * @param blocks the blocks in order
 * @param finalNorm the norm after the last block
 * @param lmHead the projection to logits
 * @param chains the FFN chains ({@link Chain#of})
 */
public record TransformerStructure(Embedding embedding, List<Block> blocks, NormMatch finalNorm, LmHead lmHead,
    List<Chain> chains) {
  public TransformerStructure {
    blocks = List.copyOf(blocks);
    chains = List.copyOf(chains);
  }

  /**
   * Recognizes {@code g}; read-only.
   *
   * @throws UnrecognizedGraphException naming the node where the walk failed, rather than returning a guess
   */
  public static TransformerStructure recognize(Graph g) throws UnrecognizedGraphException {
    return new StructureRecognizer(g).recognize();
  }

  /** Model width. */
  public long hidden() {
    return embedding.hidden();
  }

  /** Block {@code i}. */
  public Block block(int i) {
    return blocks.get(i);
  }

  /** The chain containing block {@code i}, if any. */
  public Optional<Chain> chainOf(int i) {
    return chains.stream().filter(c -> c.first() <= i && i <= c.last()).findFirst();
  }
}

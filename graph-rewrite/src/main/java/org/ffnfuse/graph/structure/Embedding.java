package org.ffnfuse.graph.structure;

import java.util.Optional;
import org.ffnfuse.graph.pattern.BlockQuantization;
import org.ffnfuse.graph.pattern.Orientation;

/**
 * The token embedding at the start of the residual stream.
 *
 * @param weight the initializer gathered by token id
 * @param vocab vocabulary size
 * @param hidden model width
 * @param scale constant the embeddings are multiplied by (Gemma: sqrt(hidden)), 1 if none
 * @param positionEmbedding a learned position-embedding initializer added to it (GPT-2), if any
 * @param output the value that starts the residual stream
 * @param orientation how {@code weight} is stored, read as a tied LM head would: {@link Orientation#OUT_IN} is the
 *     usual {@code [vocab, hidden]} table, {@link Orientation#IN_OUT} a {@code [hidden, vocab]} LM-head weight
 *     gathered through a {@code Transpose} (GenAI builder, tied Gemma)
 * @param quantization for {@code com.microsoft} {@code GatherBlockQuantized}: how the packed {@code weight} is
 *     quantized (the int4 LM head's weight, tied); empty for float tables
 */
public record Embedding(String weight, long vocab, long hidden, double scale, Optional<String> positionEmbedding,
    String output, Orientation orientation, Optional<BlockQuantization> quantization) {
  /** A plain float {@code [vocab, hidden]} table. */
  public Embedding(String weight, long vocab, long hidden, double scale, Optional<String> positionEmbedding,
      String output) {
    this(weight, vocab, hidden, scale, positionEmbedding, output, Orientation.OUT_IN, Optional.empty());
  }
}

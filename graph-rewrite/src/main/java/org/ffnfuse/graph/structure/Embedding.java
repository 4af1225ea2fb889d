package org.ffnfuse.graph.structure;

import java.util.Optional;

/**
 * The token embedding at the start of the residual stream.
 *
 * @param weight the {@code [vocab, hidden]} initializer gathered by token id
 * @param vocab vocabulary size
 * @param hidden model width
 * @param scale constant the embeddings are multiplied by (Gemma: sqrt(hidden)), 1 if none
 * @param positionEmbedding a learned position-embedding initializer added to it (GPT-2), if any
 * @param output the value that starts the residual stream
 */
public record Embedding(String weight, long vocab, long hidden, double scale, Optional<String> positionEmbedding,
    String output) {}

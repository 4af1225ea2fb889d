package org.ffnfuse.graph.structure;

import java.util.Optional;
import org.ffnfuse.graph.pattern.Orientation;

/**
 * The projection from the final norm to the logits.
 *
 * @param weight the weight initializer
 * @param orientation how it is stored
 * @param tied whether it is the embedding matrix
 * @param bias a bias initializer, if any
 * @param output the graph output it produces
 */
public record LmHead(String weight, Orientation orientation, boolean tied, Optional<String> bias, String output) {}

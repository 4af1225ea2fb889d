package org.ffnfuse.graph.pass;

import org.ffnfuse.graph.ir.Graph;

/**
 * What a pass produced.
 *
 * @param graph the rewritten graph (the input itself when nothing changed)
 * @param report one line for people, e.g. {@code FfnFusion: fused 2 chains, 12 FFNs → 2}
 */
public record PassResult(Graph graph, String report) {}

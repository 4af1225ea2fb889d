package org.ffnfuse.converters.analysis;

import org.ffnfuse.graph.analysis.BranchKind;

/**
 * How much one branch changes the residual stream, averaged over calibration tokens.
 *
 * @param block the block
 * @param kind attention or FFN
 * @param cosine mean {@code cos(x, x + h(x))}, {@code x} the stream entering the branch and {@code h(x)} its output
 *     (1: the branch hardly turns the stream)
 * @param normRatio mean {@code ‖h(x)‖ / ‖x‖}
 */
public record BranchProfile(int block, BranchKind kind, double cosine, double normRatio) {}

/**
 * The FFN Fusion itself (arXiv 2503.18908): a chain of FFNs that all read the same input in parallel,
 * {@code y = x + Σ_k h_k(x)}, is exactly one wide FFN. {@link org.ffnfuse.graph.fusion.FfnFuser} builds its weights
 * lazily from the members' weights, folding each member's norm gain (and LayerNorm bias) into its input weights so the
 * fused block has one norm with unit gain.
 */
package org.ffnfuse.graph.fusion;

/**
 * The FFN Fusion itself (arXiv 2503.18908): a chain of FFNs that all read the same input in parallel,
 * {@code y = x + Σ_k h_k(x)}, is exactly one wide FFN. {@link org.ffnfuse.graph.fusion.FfnFuser} builds its weights
 * lazily from the members' weights, folding each member's norm gain (and LayerNorm bias) into its input weights so the
 * fused block has one norm with unit gain.
 *
 * <p>On ONNX graphs, {@link org.ffnfuse.graph.fusion.FfnFusionPass} replaces each chain of a
 * {@link org.ffnfuse.graph.fusion.FusionPlan} by one {@code ai.ffnfuse.FusedFFN} node (a model-local function of
 * standard operators) or by those operators inline; {@link org.ffnfuse.graph.fusion.ParallelFormPass} rewires a
 * chain into its parallel form without touching weights, the independent reference the fusion must equal.
 */
package org.ffnfuse.graph.fusion;

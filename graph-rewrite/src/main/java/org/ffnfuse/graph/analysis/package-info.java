/**
 * Graph transformations for dependency analysis and attention removal on recognized transformer graphs.
 *
 * <p>{@link org.ffnfuse.graph.analysis.AnalysisGraph} scales every residual branch (attention, FFN) by an entry of one
 * new float input, {@code ffnfuse_branch_gates}, and exposes every branch output and the residual stream's ends as
 * extra graph outputs, so that one ONNX Runtime session serves the intact model and every "branch removed" variant.
 * {@link org.ffnfuse.graph.analysis.BranchRemoval} (and the pass {@link
 * org.ffnfuse.graph.analysis.AttentionRemovalPass}) removes branches for good: the residual add becomes the identity,
 * the branch's nodes die, and KV-cache inputs and outputs only it used are dropped. No file I/O here.
 */
package org.ffnfuse.graph.analysis;

/**
 * ONNX graph construction for exported causal LMs: a small {@link org.ffnfuse.converters.export.graph.GraphBuilder}
 * with torch.onnx-style readable names and the transformer graph built from an export description.
 */
package org.ffnfuse.converters.export.graph;

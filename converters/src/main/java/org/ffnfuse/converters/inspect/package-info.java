/**
 * {@code ffnfuse inspect}: the block structure of a model ({@link org.ffnfuse.graph.structure.ModelSummary}) from an
 * ONNX graph (structure recognition) or from a checkpoint (config.json and the tensors' shapes), in the same form.
 */
package org.ffnfuse.converters.inspect;

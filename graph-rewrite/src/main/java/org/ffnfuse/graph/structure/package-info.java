/**
 * Transformer structure recognition on ONNX graphs: {@link org.ffnfuse.graph.structure.TransformerStructure#recognize}
 * walks the residual stream from the token embedding to the final norm and LM head, classifies every residual branch
 * (attention, FFN, removed-attention zero branch) with its norm, groups branches into blocks, and finds FFN chains.
 * {@link org.ffnfuse.graph.structure.ModelSummary} is the JSON-able view for {@code ffnfuse inspect}.
 */
package org.ffnfuse.graph.structure;

/**
 * A small immutable graph IR over ONNX: {@link org.ffnfuse.graph.ir.Graph} (nodes, producers, consumers, graph inputs
 * and outputs, initializers as lazy tensors), {@link org.ffnfuse.graph.ir.Node} (keeps its original {@code NodeProto},
 * so metadata and unknown fields survive), one batched editor {@link org.ffnfuse.graph.ir.Rewriter} and a
 * {@link org.ffnfuse.graph.ir.GraphVerifier}. No file I/O: initializer data comes from an
 * {@link org.ffnfuse.graph.ir.InitializerSource} the caller supplies.
 */
package org.ffnfuse.graph.ir;

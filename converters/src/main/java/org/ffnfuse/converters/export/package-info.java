/**
 * Checkpoint → ONNX export: {@link org.ffnfuse.converters.export.OnnxExporter} (entry point),
 * {@link org.ffnfuse.converters.export.ExportOptions}, and {@link org.ffnfuse.converters.export.CudaOperators}, the
 * list of operators ONNX Runtime's CUDA execution provider implements, which exported graphs are checked against.
 */
package org.ffnfuse.converters.export;

/**
 * ONNX protobuf I/O: {@link org.ffnfuse.formats.onnx.OnnxModel} reads a {@code ModelProto} and exposes its
 * initializers as lazy {@link org.ffnfuse.formats.tensor.Tensor} views (external data memory-mapped in windows, raw
 * data viewed in place); {@link org.ffnfuse.formats.onnx.OnnxModelWriter} writes a model with one external data file
 * beside it, streaming tensor by tensor, under temporary names renamed when complete.
 *
 * <p>Protobuf classes are {@code ai.onnx.proto.OnnxMl} (ONNX 1.16 schema); fields newer than that schema are kept as
 * protobuf unknown fields and written back unchanged. ONNX external data: a {@code TensorProto} with
 * {@code data_location = EXTERNAL} and {@code external_data} entries {@code location} (a path relative to the model's
 * folder), {@code offset} and {@code length} (decimal byte counts); bytes are little-endian, as in {@code raw_data}.
 */
package org.ffnfuse.formats.onnx;

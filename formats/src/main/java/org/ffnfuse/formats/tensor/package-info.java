/**
 * Tensor values: {@link org.ffnfuse.formats.tensor.DType}, {@link org.ffnfuse.formats.tensor.Shape} and the
 * {@link org.ffnfuse.formats.tensor.Tensor} view that every format exposes, lazily and without copying where the
 * bytes live in a memory-mapped file. All multi-byte values are little-endian, as in safetensors and ONNX raw data.
 */
package org.ffnfuse.formats.tensor;

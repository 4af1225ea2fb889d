/** Latency and throughput of ONNX models on ONNX Runtime: warmed-up, repeated, original beside fused. */
package org.ffnfuse.converters.bench;

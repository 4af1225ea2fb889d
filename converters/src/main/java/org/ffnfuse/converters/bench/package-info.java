/**
 * Benchmarks: latency and throughput of ONNX models on ONNX Runtime (warmed-up, repeated, original beside fused), and
 * for {@code bench-fuse} generated Llama-shaped checkpoints ({@link org.ffnfuse.converters.bench.SyntheticCheckpoints})
 * and child processes measured for wall time, CPU time and peak RSS
 * ({@link org.ffnfuse.converters.bench.MeteredProcess}).
 */
package org.ffnfuse.converters.bench;

package org.ffnfuse.converters.bench;

/** Where ONNX Runtime runs the model. */
public enum ExecutionProvider {
  CPU,
  /** Needs the {@code gpu} Maven profile (onnxruntime_gpu, CUDA 12) and a GPU. */
  CUDA
}

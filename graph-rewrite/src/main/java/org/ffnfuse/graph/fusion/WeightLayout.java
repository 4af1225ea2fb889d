package org.ffnfuse.graph.fusion;

/** How a 2-D projection weight is stored. */
public enum WeightLayout {
  /** {@code [out, in]}: Hugging Face {@code nn.Linear}, ONNX Gemm with transB=1. */
  OUT_IN,
  /** {@code [in, out]}: ONNX MatMul initializers, GPT-2 {@code Conv1D}. */
  IN_OUT
}

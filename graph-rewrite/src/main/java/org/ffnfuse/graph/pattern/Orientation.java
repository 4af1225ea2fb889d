package org.ffnfuse.graph.pattern;

/** How a linear layer's weight is stored. */
public enum Orientation {
  /** {@code [in, out]}: ONNX MatMul weights, GPT-2 Conv1D, Gemm with {@code transB=0}. */
  IN_OUT,
  /** {@code [out, in]}: PyTorch/HF Linear layout, as read by Gemm {@code transB=1} or through a Transpose. */
  OUT_IN
}

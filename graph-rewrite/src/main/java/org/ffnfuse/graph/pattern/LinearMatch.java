package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;

/**
 * A linear layer {@code y = x·W (+ b)} in any exported form: MatMul with an [in,out] initializer, MatMul with a
 * Transpose of an [out,in] initializer, Gemm (transB 0 or 1, bias as input C), a bias Add, and flatten/unflatten
 * Reshapes around it (GPT-2 Conv1D as exported by TorchScript), or {@code com.microsoft} {@code MatMulNBits} with a
 * block-quantized integer weight ({@link MatMulNBitsPattern}).
 *
 * @param input the activation read (before any flatten Reshape)
 * @param output the value produced (after bias and unflatten Reshape)
 * @param weight the weight initializer
 * @param orientation how {@code weight} is stored
 * @param in input features
 * @param out output features
 * @param bias the bias initializer ({@code [out]}), if any
 * @param nodes the nodes of the layer (MatMul/Gemm/MatMulNBits, Transpose, bias Add, Reshapes)
 * @param quantization for {@code com.microsoft} {@code MatMulNBits}: how {@code weight} (then packed integers,
 *     {@link Orientation#OUT_IN}) is quantized; empty for float weights
 */
public record LinearMatch(String input, String output, String weight, Orientation orientation, long in, long out,
    Optional<String> bias, List<org.ffnfuse.graph.ir.Node> nodes, Optional<BlockQuantization> quantization) {
  public LinearMatch {
    nodes = List.copyOf(nodes);
  }

  /** A float linear layer (no quantization). */
  public LinearMatch(String input, String output, String weight, Orientation orientation, long in, long out,
      Optional<String> bias, List<org.ffnfuse.graph.ir.Node> nodes) {
    this(input, output, weight, orientation, in, out, bias, nodes, Optional.empty());
  }
}

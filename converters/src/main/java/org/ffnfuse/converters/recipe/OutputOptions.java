package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * The {@code output:} section: what the final model is written as, in {@code <out>/model}.
 *
 * <pre>{@code
 * output:
 *   format: checkpoint   # checkpoint (nemotron-nas folder; Llama-family inputs) or onnx (default: like the input)
 *   dtype: same          # same, fp32, fp16 or bf16 (default same; ONNX output has no bf16: same → fp32)
 * }</pre>
 *
 * @param format key {@code format}; empty = the input's kind (checkpoint folder → checkpoint, .onnx → onnx)
 * @param dtype key {@code dtype}
 */
public record OutputOptions(Optional<OutputFormat> format, WeightDtype dtype) {
  public OutputOptions {
    checkNotNull(format);
    checkNotNull(dtype);
  }

  /** Every key at its default. */
  public static OutputOptions defaults() {
    return new OutputOptions(Optional.empty(), WeightDtype.SAME);
  }
}

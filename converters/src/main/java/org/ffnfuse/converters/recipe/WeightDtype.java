package org.ffnfuse.converters.recipe;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A dtype option of a recipe ({@code fuse.dtype}, {@code output.dtype}): the spelling the CLI's {@code --dtype} takes. */
public enum WeightDtype {
  /** Keep the input's dtype (bf16 becomes fp32 in ONNX output, which has no bf16 MatMul on CPU). */
  SAME,
  FP32,
  FP16,
  BF16;

  /** The option string ({@code same}, {@code fp32}, …) that {@code CheckpointOutput.dtype} takes. */
  public String option() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value spelled {@code s} (case-insensitive), if any. */
  public static Optional<WeightDtype> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.option().equalsIgnoreCase(s)).findFirst();
  }
}

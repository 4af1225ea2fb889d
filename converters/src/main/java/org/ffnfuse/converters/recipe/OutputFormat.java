package org.ffnfuse.converters.recipe;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** {@code output.format}: what the run writes to {@code <out>/model}. */
public enum OutputFormat {
  /** A nemotron-nas (DeciLM) checkpoint folder: config.json, sharded safetensors, tokenizer files. */
  CHECKPOINT,
  /** {@code model/model.onnx} with external data {@code model.onnx.data} and the tokenizer files beside it. */
  ONNX;

  /** The recipe spelling ({@code checkpoint}, {@code onnx}). */
  public String option() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value spelled {@code s} (case-insensitive), if any. */
  public static Optional<OutputFormat> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.option().equalsIgnoreCase(s)).findFirst();
  }
}

package org.ffnfuse.formats.config;

import java.util.Optional;

/** The MLP activation function. */
public enum Activation {
  /** {@code x·σ(x)}; HF {@code silu}, {@code swish}. */
  SILU,
  /** Exact GELU {@code x·Φ(x)} with erf; HF {@code gelu}. */
  GELU,
  /** The tanh approximation of GELU; HF {@code gelu_new}, {@code gelu_pytorch_tanh}, {@code gelu_fast}. */
  GELU_TANH,
  /** {@code max(0, x)}. */
  RELU;

  /** The activation for a Hugging Face {@code hidden_act} / {@code activation_function} name, if known. */
  public static Optional<Activation> fromHfName(String name) {
    return Optional.ofNullable(switch (name) {
      case "silu", "swish" -> SILU;
      case "gelu" -> GELU;
      case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
      case "relu" -> RELU;
      default -> null;
    });
  }

  /** The names {@link #fromHfName} accepts, for error messages. */
  static String supportedNames() {
    return "silu, swish, gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu";
  }
}

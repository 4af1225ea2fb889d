package org.ffnfuse.formats.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The architectures FFNFuse understands, by their {@code model_type} in config.json. */
public enum ModelFamily {
  LLAMA("llama"),
  MISTRAL("mistral"),
  QWEN2("qwen2"),
  QWEN3("qwen3"),
  GEMMA("gemma"),
  GEMMA2("gemma2"),
  PHI3("phi3"),
  OLMO2("olmo2"),
  GRANITE("granite"),
  GPT2("gpt2"),
  GPT_NEOX("gpt_neox"),
  NEMOTRON_NAS("nemotron-nas");

  private final String modelType;

  ModelFamily(String modelType) {
    this.modelType = modelType;
  }

  /** The {@code model_type} string of config.json. */
  public String modelType() {
    return modelType;
  }

  /** The family with this {@code model_type}, if supported. */
  public static Optional<ModelFamily> fromModelType(String modelType) {
    return Arrays.stream(values()).filter(f -> f.modelType.equals(modelType)).findFirst();
  }

  /** {@code "llama, mistral, …"}: for error messages. */
  public static String supportedList() {
    return Arrays.stream(values()).map(ModelFamily::modelType).collect(Collectors.joining(", "));
  }
}

package org.ffnfuse.formats.config;

import org.ffnfuse.formats.ModelFormatException;

/** Turns one family's config.json fields into a {@link ConfigDraft}: the one place that family's quirks live. */
interface FamilyParser {
  ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException;

  /** The parser for {@code family}. */
  static FamilyParser forFamily(ModelFamily family) {
    return switch (family) {
      case LLAMA, MISTRAL -> new LlamaParser();
      case QWEN2, QWEN3 -> new QwenParser();
      case GEMMA, GEMMA2 -> new GemmaParser();
      case PHI3 -> new Phi3Parser();
      case OLMO2 -> new Olmo2Parser();
      case GRANITE -> new GraniteParser();
      case GPT2 -> new Gpt2Parser();
      case GPT_NEOX -> new GptNeoxParser();
      case NEMOTRON_NAS -> new NemotronNasParser();
    };
  }
}

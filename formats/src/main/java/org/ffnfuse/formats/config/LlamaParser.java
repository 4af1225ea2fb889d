package org.ffnfuse.formats.config;

import java.util.OptionalInt;
import org.ffnfuse.formats.ModelFormatException;

/** Llama and Mistral: the plain pre-norm SwiGLU decoder; Mistral may add a sliding window to every layer. */
final class LlamaParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = CommonFields.llamaLike(family, f, CommonFields.Defaults.llama());
    if (family == ModelFamily.MISTRAL) {
      OptionalInt window = f.optionalInt("sliding_window");
      if (window.isPresent()) {
        SlidingWindows.applyToAll(c, f, window.getAsInt());
      }
    }
    return c;
  }
}

package org.ffnfuse.formats.config;

import java.util.OptionalInt;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Phi-3: fused {@code qkv_proj} and {@code gate_up_proj} (a weight-layout matter, not a config one),
 * {@code partial_rotary_factor}, {@code rms_norm_eps} default 1e-5, an optional sliding window on every layer.
 */
final class Phi3Parser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = CommonFields.llamaLike(family, f, CommonFields.Defaults.llama().withEps(1e-5));
    OptionalInt window = f.optionalInt("sliding_window");
    if (window.isPresent()) {
      SlidingWindows.applyToAll(c, f, window.getAsInt());
    }
    return c;
  }
}

package org.ffnfuse.formats.config;

import org.ffnfuse.formats.ModelFormatException;

/**
 * Qwen2 (bias on q/k/v, none on o and the MLP) and Qwen3 ({@code attention_bias} flag, per-head RMSNorm of q and k,
 * {@code head_dim} default 128). Both have an optional sliding window on layers from {@code max_window_layers} on.
 */
final class QwenParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    CommonFields.Defaults d = CommonFields.Defaults.llama();
    if (family == ModelFamily.QWEN3) {
      d = d.withHeadDim(128);
    }
    ConfigDraft c = CommonFields.llamaLike(family, f, d);
    if (family == ModelFamily.QWEN2) {
      c.bias = new BiasConfig(true, false, false); // Qwen2Attention: q/k/v bias=True, o_proj bias=False
    } else {
      c.qkNorm = QkNorm.PER_HEAD;
    }
    if (f.boolOr("use_sliding_window", false) && f.has("sliding_window")) {
      int window = f.positiveInt("sliding_window");
      if (!SlidingWindows.applyLayerTypes(c, f, window)) {
        int from = f.positiveIntOr("max_window_layers", c.blocks.size());
        for (int i = from; i < c.blocks.size(); i++) {
          SlidingWindows.apply(c, f, i, window);
        }
      }
    }
    return c;
  }
}

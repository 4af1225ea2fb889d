package org.ffnfuse.formats.config;

import java.util.List;
import org.ffnfuse.formats.ModelFormatException;

/** Puts sliding windows on the attention of some blocks. */
final class SlidingWindows {
  private SlidingWindows() {}

  static void applyToAll(ConfigDraft c, ConfigFields f, int window) throws ModelFormatException {
    for (int i = 0; i < c.blocks.size(); i++) {
      apply(c, f, i, window);
    }
  }

  static void apply(ConfigDraft c, ConfigFields f, int block, int window) throws ModelFormatException {
    if (window <= 0) {
      throw f.problem("sliding_window", "expected a positive integer, found " + window);
    }
    BlockConfig b = c.blocks.get(block);
    c.blocks.set(block, BlockConfig.of(b.attention().withSlidingWindow(window), b.ffn()));
  }

  /**
   * Applies {@code layer_types} ({@code "sliding_attention"} / {@code "full_attention"}, transformers 5) if present;
   * returns whether it was.
   */
  static boolean applyLayerTypes(ConfigDraft c, ConfigFields f, int window) throws ModelFormatException {
    var types = f.optionalStringArray("layer_types");
    if (types.isEmpty()) {
      return false;
    }
    List<String> t = types.get();
    if (t.size() != c.blocks.size()) {
      throw f.problem("layer_types", "has " + t.size() + " entries but num_hidden_layers is " + c.blocks.size());
    }
    for (int i = 0; i < t.size(); i++) {
      switch (t.get(i)) {
        case "sliding_attention" -> apply(c, f, i, window);
        case "full_attention" -> { }
        default -> throw f.problem("layer_types[" + i + "]", "'" + t.get(i) + "' is not supported (supported:"
            + " full_attention, sliding_attention)");
      }
    }
    return true;
  }
}

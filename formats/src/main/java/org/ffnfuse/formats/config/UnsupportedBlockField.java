package org.ffnfuse.formats.config;

import com.fasterxml.jackson.databind.JsonNode;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Fields of nemotron-nas {@code block_configs} (NVIDIA's DeciLM / Puzzle {@code block_config.py}) that FFNFuse does
 * not implement. Each is accepted only at its neutral value (absent, {@code null}, {@code false}, an empty list; for
 * {@code gated}, {@code true}); any other value changes what the block computes, so the config is refused rather than
 * converted into a different model.
 */
enum UnsupportedBlockField {
  WINDOW_LENGTH(Part.ATTENTION, "window_length", "sliding-window attention", true),
  NUM_SINK_TOKENS(Part.ATTENTION, "num_sink_tokens", "attention sink tokens", true),
  USE_PREFILL_WINDOW_IN_SINK_ATTENTION(Part.ATTENTION, "use_prefill_window_in_sink_attention",
      "sink attention with a prefill window", true),
  UNSHIFTED_SINK(Part.ATTENTION, "unshifted_sink", "unshifted sink attention", true),
  ATTENTION_SPARSIFY(Part.ATTENTION, "sparsify", "sparsified attention weights", false),
  MAMBA(Part.ATTENTION, "mamba", "a Mamba mixer in place of attention", false),
  LLAMA4(Part.ATTENTION, "llama4", "Llama-4 attention", false),
  FFN_SPARSIFY(Part.FFN, "sparsify", "sparsified FFN weights", false),
  MOE(Part.FFN, "moe", "a mixture-of-experts FFN", false),
  GATED(Part.FFN, "gated", "an FFN without a gate (gated: false)", false),
  PARALLEL_BLOCKS(Part.BLOCK, "parallel_blocks", "parallel sub-blocks", false);

  /** Where the field sits in one {@code block_configs} entry. */
  enum Part {
    BLOCK,
    ATTENTION,
    FFN
  }

  private final Part part;
  private final String field;
  private final String feature;
  private final boolean onlyForAttention;

  /**
   * @param onlyForAttention whether the field matters only when the block has real attention (NVIDIA's config
   *     clears it for {@code no_op} and {@code replace_with_linear})
   */
  UnsupportedBlockField(Part part, String field, String feature, boolean onlyForAttention) {
    this.part = part;
    this.field = field;
    this.feature = feature;
    this.onlyForAttention = onlyForAttention;
  }

  /**
   * Refuses every field of {@code part} in {@code fields} (one part of one block config) that is set to a
   * non-neutral value.
   *
   * @param fullAttention whether the block has real attention (neither {@code no_op} nor {@code replace_with_linear})
   */
  static void check(Part part, ConfigFields fields, boolean fullAttention) throws ModelFormatException {
    for (UnsupportedBlockField u : values()) {
      if (u.part == part && (fullAttention || !u.onlyForAttention) && !u.isNeutral(fields.get(u.field))) {
        throw fields.problem(u.field, fields.describeValue(u.field) + " asks for " + u.feature
            + ", which FFNFuse does not implement; the model cannot be converted");
      }
    }
  }

  private boolean isNeutral(JsonNode v) {
    if (v == null || v.isNull()) {
      return true;
    }
    if (this == GATED) {
      return v.isBoolean() && v.booleanValue();
    }
    return v.isBoolean() && !v.booleanValue() || v.isArray() && v.isEmpty();
  }
}

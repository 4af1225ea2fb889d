package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkNotNull;

/** One transformer block: its attention and its FFN. */
public record BlockConfig(AttentionConfig attention, FfnConfig ffn) {
  public BlockConfig {
    checkNotNull(attention);
    checkNotNull(ffn);
  }

  public static BlockConfig of(AttentionConfig attention, FfnConfig ffn) {
    return new BlockConfig(attention, ffn);
  }
}

package org.ffnfuse.formats.config;

/**
 * Upper bounds on the sizes a config.json declares, far above any released model (the largest have about 160 layers,
 * hidden sizes near 25,000 and vocabularies near 260,000), so that a corrupt or hostile config fails when it is read,
 * before anything is allocated per layer, per channel or per token.
 */
enum SizeLimit {
  /** Layers ({@code num_hidden_layers}, {@code n_layer}). */
  LAYERS(100_000, "layers"),
  /** Widths: hidden size, FFN width, head size. */
  WIDTH(1 << 20, "channels"),
  /** Attention heads, query or key/value. */
  HEADS(1 << 16, "heads"),
  /** Vocabulary size. */
  VOCAB(1 << 24, "tokens");

  private final int max;
  private final String unit;

  SizeLimit(int max, String unit) {
    this.max = max;
    this.unit = unit;
  }

  /** The largest value accepted. */
  int max() {
    return max;
  }

  /** What is counted, for messages ("layers"). */
  String unit() {
    return unit;
  }
}

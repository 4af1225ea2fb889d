package org.ffnfuse.formats.config;

/**
 * Which linear layers carry a bias.
 *
 * @param qkv query, key and value projections
 * @param attentionOutput the attention output projection
 * @param mlp the FFN projections
 */
public record BiasConfig(boolean qkv, boolean attentionOutput, boolean mlp) {
  public static BiasConfig none() {
    return new BiasConfig(false, false, false);
  }

  public static BiasConfig all() {
    return new BiasConfig(true, true, true);
  }
}

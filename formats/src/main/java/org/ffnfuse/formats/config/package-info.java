/**
 * Hugging Face {@code config.json} → validated records: {@link org.ffnfuse.formats.config.HfConfigReader} reads,
 * {@link org.ffnfuse.formats.config.ModelConfig} holds the result (per-block
 * {@link org.ffnfuse.formats.config.BlockConfig}s, norm, activation, rope, biases, layout, scaling). One small
 * package-private parser per family (or family group) holds that family's field names, defaults and quirks.
 */
package org.ffnfuse.formats.config;

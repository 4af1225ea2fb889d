package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.ffnfuse.formats.tensor.DType;

/**
 * A validated Hugging Face {@code config.json}: everything needed to run or rewrite the model, the same shape for every
 * family. Family quirks are resolved into plain values by the family's parser (see {@link HfConfigReader}).
 *
 * @param family the architecture
 * @param hiddenSize residual stream width
 * @param vocabSize vocabulary size (rows of the embedding)
 * @param maxPositions {@code max_position_embeddings} (GPT-2 {@code n_positions})
 * @param blocks one entry per layer, in order
 * @param norm how every norm normalizes
 * @param activation the FFN activation
 * @param rope rotary embedding; empty means learned absolute position embeddings (GPT-2)
 * @param tieWordEmbeddings whether the LM head reuses the token embedding
 * @param dtype the checkpoint's declared dtype ({@code dtype} / {@code torch_dtype}; F32 when absent)
 * @param bias which linear layers have biases
 * @param layout where the norms sit
 * @param qkNorm query/key normalization
 * @param scaling constant multipliers and soft caps
 * @param bosTokenId {@code bos_token_id}, if set
 * @param raw the parsed JSON as read (a private copy; {@link #raw()} returns another copy)
 * @param source the config.json this came from
 */
public record ModelConfig(
    ModelFamily family,
    int hiddenSize,
    int vocabSize,
    int maxPositions,
    List<BlockConfig> blocks,
    NormConfig norm,
    Activation activation,
    Optional<RopeConfig> rope,
    boolean tieWordEmbeddings,
    DType dtype,
    BiasConfig bias,
    ResidualLayout layout,
    QkNorm qkNorm,
    Scaling scaling,
    OptionalInt bosTokenId,
    JsonNode raw,
    Path source) {

  public ModelConfig {
    checkNotNull(family);
    checkArgument(hiddenSize > 0 && vocabSize > 0 && maxPositions > 0, "hidden %s, vocab %s, max positions %s",
        hiddenSize, vocabSize, maxPositions);
    blocks = List.copyOf(blocks);
    checkArgument(!blocks.isEmpty(), "no blocks");
    checkNotNull(norm);
    checkNotNull(activation);
    checkNotNull(rope);
    checkNotNull(dtype);
    checkNotNull(bias);
    checkNotNull(layout);
    checkNotNull(qkNorm);
    checkNotNull(scaling);
    checkNotNull(bosTokenId);
    raw = raw.deepCopy();
    checkNotNull(source);
    for (BlockConfig b : blocks) {
      if (b.attention().kind() == AttentionKind.FULL) {
        rope.ifPresent(r -> checkArgument(r.rotaryDim() <= b.attention().headDim(), "rotary dim %s > head dim %s",
            r.rotaryDim(), b.attention().headDim()));
      }
    }
  }

  /** Number of blocks (layers). */
  public int numLayers() {
    return blocks.size();
  }

  /** Block {@code i}. */
  public BlockConfig block(int i) {
    return blocks.get(i);
  }

  /** Whether positions come from a learned embedding table instead of rotary embedding. */
  public boolean learnedPositions() {
    return rope.isEmpty();
  }

  /** A copy of the JSON this was parsed from, unknown keys included (to write modified configs). */
  @Override
  public JsonNode raw() {
    return raw.deepCopy();
  }

  /** This config with other blocks (e.g. after attention removal or FFN fusion); {@link #raw()} is unchanged. */
  public ModelConfig withBlocks(List<BlockConfig> newBlocks) {
    return new ModelConfig(family, hiddenSize, vocabSize, maxPositions, newBlocks, norm, activation, rope,
        tieWordEmbeddings, dtype, bias, layout, qkNorm, scaling, bosTokenId, raw, source);
  }
}

package org.ffnfuse.formats.config;

import java.util.List;
import org.ffnfuse.formats.ModelFormatException;

/**
 * nemotron-nas (DeciLM): a Llama whose blocks differ, per {@code block_configs[i]}: attention {@code no_op},
 * {@code replace_with_linear} or full with {@code num_attention_heads / n_heads_in_group} KV heads; FFN
 * {@code no_op}, {@code replace_with_linear} or SwiGLU of {@link FfnConfig#nemotronIntermediateSize} width.
 */
final class NemotronNasParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = new ConfigDraft(family);
    c.hiddenSize = f.positiveInt("hidden_size");
    int layers = f.positiveInt("num_hidden_layers");
    int heads = f.positiveInt("num_attention_heads");
    int headDim = CommonFields.headDim(f, c.hiddenSize, heads, java.util.OptionalInt.empty());
    List<ConfigFields> blocks = f.objectArray("block_configs");
    if (blocks.size() != layers) {
      throw f.problem("block_configs has " + blocks.size() + " entries but num_hidden_layers is " + layers
          + "; there must be one block config per layer");
    }
    for (ConfigFields b : blocks) {
      c.blocks.add(BlockConfig.of(attention(b.requiredObject("attention"), heads, headDim),
          ffn(b.requiredObject("ffn"), c.hiddenSize)));
    }
    c.vocabSize = f.positiveInt("vocab_size");
    c.maxPositions = f.positiveIntOr("max_position_embeddings", 2048);
    c.norm = new NormConfig(NormKind.RMS, f.nonNegativeDoubleOr("rms_norm_eps", 1e-6), 0);
    c.activation = CommonFields.activation(f, "hidden_act", "silu");
    c.rope = java.util.Optional.of(CommonFields.rope(f, headDim, 10000, 1.0));
    c.tieWordEmbeddings = f.boolOr("tie_word_embeddings", false);
    c.dtype = CommonFields.dtype(f);
    boolean attnBias = f.boolOr("attention_bias", false);
    c.bias = new BiasConfig(attnBias, attnBias, f.boolOr("mlp_bias", false));
    c.bosTokenId = f.optionalInt("bos_token_id");
    return c;
  }

  private static AttentionConfig attention(ConfigFields a, int heads, int headDim) throws ModelFormatException {
    boolean noOp = a.boolOr("no_op", false);
    boolean linear = a.boolOr("replace_with_linear", false);
    if (noOp && linear) {
      throw a.problem("no_op", "no_op and replace_with_linear are both true; at most one may be");
    }
    if (noOp) {
      return AttentionConfig.none();
    }
    if (linear) {
      return AttentionConfig.linear();
    }
    int group = a.positiveInt("n_heads_in_group");
    if (heads % group != 0) {
      throw a.problem("n_heads_in_group", group + " does not divide num_attention_heads " + heads);
    }
    return AttentionConfig.full(heads, heads / group, headDim);
  }

  private static FfnConfig ffn(ConfigFields f, int hidden) throws ModelFormatException {
    boolean noOp = f.boolOr("no_op", false);
    boolean linear = f.boolOr("replace_with_linear", false);
    if (noOp && linear) {
      throw f.problem("no_op", "no_op and replace_with_linear are both true; at most one may be");
    }
    if (noOp) {
      return FfnConfig.none();
    }
    if (linear) {
      return FfnConfig.linear();
    }
    if (!f.has("ffn_mult")) {
      throw f.problem("ffn_mult", "is missing (expected a positive number) for an FFN that is neither no_op nor"
          + " replace_with_linear");
    }
    double mult = f.positiveDoubleOr("ffn_mult", 1);
    long width = FfnConfig.nemotronIntermediateSize(mult, hidden);
    if (width <= 0 || width > Integer.MAX_VALUE) {
      throw f.problem("ffn_mult", mult + " gives an FFN width of " + width + " for hidden_size " + hidden
          + " (expected 1.." + Integer.MAX_VALUE + ")");
    }
    return FfnConfig.gated((int) width);
  }
}

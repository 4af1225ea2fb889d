package org.ffnfuse.formats.config;

import java.util.List;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.UnsupportedBlockField.Part;

/**
 * nemotron-nas (DeciLM): a Llama whose blocks differ, per {@code block_configs[i]}: attention {@code no_op},
 * {@code replace_with_linear} or full with {@code num_attention_heads / n_heads_in_group} KV heads; FFN
 * {@code no_op}, {@code replace_with_linear} or SwiGLU of {@link FfnConfig#nemotronIntermediateSize} width.
 */
final class NemotronNasParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = new ConfigDraft(family);
    c.hiddenSize = f.size("hidden_size", SizeLimit.WIDTH);
    int layers = f.size("num_hidden_layers", SizeLimit.LAYERS);
    int heads = f.size("num_attention_heads", SizeLimit.HEADS);
    int headDim = CommonFields.headDim(f, c.hiddenSize, heads, java.util.OptionalInt.empty());
    List<ConfigFields> blocks = f.objectArray("block_configs");
    if (blocks.size() != layers) {
      throw f.problem("block_configs has " + blocks.size() + " entries but num_hidden_layers is " + layers
          + "; there must be one block config per layer");
    }
    c.activation = CommonFields.activation(f, "hidden_act", "silu");
    for (ConfigFields b : blocks) {
      UnsupportedBlockField.check(Part.BLOCK, b, false);
      c.blocks.add(BlockConfig.of(attention(b.requiredObject("attention"), heads, headDim),
          ffn(b.requiredObject("ffn"), c.hiddenSize, c.activation)));
    }
    c.vocabSize = f.size("vocab_size", SizeLimit.VOCAB);
    c.maxPositions = f.positiveIntOr("max_position_embeddings", 2048);
    c.norm = new NormConfig(NormKind.RMS, f.nonNegativeDoubleOr("rms_norm_eps", 1e-6), 0);
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
    UnsupportedBlockField.check(Part.ATTENTION, a, !noOp && !linear);
    if (noOp) {
      return AttentionConfig.none();
    }
    if (linear) {
      return AttentionConfig.linear();
    }
    int group = a.size("n_heads_in_group", SizeLimit.HEADS);
    if (heads % group != 0) {
      throw a.problem("n_heads_in_group", group + " does not divide num_attention_heads " + heads);
    }
    return AttentionConfig.full(heads, heads / group, headDim);
  }

  private static FfnConfig ffn(ConfigFields f, int hidden, Activation activation) throws ModelFormatException {
    boolean noOp = f.boolOr("no_op", false);
    boolean linear = f.boolOr("replace_with_linear", false);
    if (noOp && linear) {
      throw f.problem("no_op", "no_op and replace_with_linear are both true; at most one may be");
    }
    UnsupportedBlockField.check(Part.FFN, f, false);
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
    if (width <= 0 || width > SizeLimit.WIDTH.max()) {
      throw f.problem("ffn_mult", mult + " gives an FFN width of " + width + " for hidden_size " + hidden
          + " (expected 1.." + SizeLimit.WIDTH.max() + ")");
    }
    checkBlockWidth(f, (int) width);
    checkBlockActivation(f, activation);
    return FfnConfig.gated((int) width);
  }

  /** A block's own {@code intermediate_size} (newer Puzzle configs write it too) must be the one ffn_mult gives. */
  private static void checkBlockWidth(ConfigFields f, int width) throws ModelFormatException {
    if (f.has("intermediate_size") && f.size("intermediate_size", SizeLimit.WIDTH) != width) {
      throw f.problem("intermediate_size", f.describeValue("intermediate_size") + " differs from the width "
          + width + " that ffn_mult gives; one of them is wrong");
    }
  }

  /** A block's own {@code hidden_act} must be the model's: one activation for every FFN is what FFNFuse runs. */
  private static void checkBlockActivation(ConfigFields f, Activation model) throws ModelFormatException {
    if (f.has("hidden_act") && CommonFields.activation(f, "hidden_act", "silu") != model) {
      throw f.problem("hidden_act", f.describeValue("hidden_act") + " differs from the model's hidden_act ("
          + model.name().toLowerCase(java.util.Locale.ROOT) + "); per-block activations are not implemented");
    }
  }
}

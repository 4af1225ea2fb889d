package org.ffnfuse.formats.config;

import java.util.Optional;
import org.ffnfuse.formats.ModelFormatException;

/**
 * GPT-NeoX: LayerNorm ({@code layer_norm_eps}), partial rotary ({@code rotary_pct}, base {@code rotary_emb_base} or
 * {@code rope_theta}), a plain GELU MLP with biases, {@code use_parallel_residual} (default true).
 */
final class GptNeoxParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = new ConfigDraft(family);
    c.hiddenSize = f.size("hidden_size", SizeLimit.WIDTH);
    int layers = f.size("num_hidden_layers", SizeLimit.LAYERS);
    int heads = f.size("num_attention_heads", SizeLimit.HEADS);
    int headDim = CommonFields.headDim(f, c.hiddenSize, heads, java.util.OptionalInt.empty());
    int inner = f.size("intermediate_size", SizeLimit.WIDTH);
    for (int i = 0; i < layers; i++) {
      c.blocks.add(BlockConfig.of(AttentionConfig.full(heads, heads, headDim), FfnConfig.plain(inner)));
    }
    c.vocabSize = f.size("vocab_size", SizeLimit.VOCAB);
    c.maxPositions = f.positiveIntOr("max_position_embeddings", 2048);
    c.norm = new NormConfig(NormKind.LAYER, f.nonNegativeDoubleOr("layer_norm_eps", 1e-5), 0);
    c.activation = CommonFields.activation(f, "hidden_act", "gelu");
    double theta = f.positiveDoubleOr("rotary_emb_base", 10000);
    c.rope = Optional.of(CommonFields.rope(f, headDim, theta, f.positiveDoubleOr("rotary_pct", 0.25)));
    c.tieWordEmbeddings = f.boolOr("tie_word_embeddings", false);
    c.dtype = CommonFields.dtype(f);
    boolean attnBias = f.boolOr("attention_bias", true);
    c.bias = new BiasConfig(attnBias, attnBias, true);
    c.layout = f.boolOr("use_parallel_residual", true) ? ResidualLayout.PARALLEL : ResidualLayout.PRE_NORM;
    c.bosTokenId = f.optionalInt("bos_token_id");
    return c;
  }
}

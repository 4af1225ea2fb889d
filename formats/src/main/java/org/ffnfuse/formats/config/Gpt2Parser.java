package org.ffnfuse.formats.config;

import org.ffnfuse.formats.ModelFormatException;

/**
 * GPT-2: its own field names ({@code n_embd}, {@code n_layer}, {@code n_head}, {@code n_inner},
 * {@code layer_norm_epsilon}, {@code activation_function}, {@code n_positions}), LayerNorm with bias, learned
 * position embeddings, biases everywhere, tied embeddings by default, and the attention scale options
 * {@code scale_attn_weights} and {@code scale_attn_by_inverse_layer_idx}.
 */
final class Gpt2Parser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = new ConfigDraft(family);
    c.hiddenSize = f.size("n_embd", SizeLimit.WIDTH);
    int layers = f.size("n_layer", SizeLimit.LAYERS);
    int heads = f.size("n_head", SizeLimit.HEADS);
    if (c.hiddenSize % heads != 0) {
      throw f.problem("n_embd " + c.hiddenSize + " is not divisible by n_head " + heads);
    }
    int headDim = c.hiddenSize / heads;
    int inner = f.sizeOr("n_inner", 4 * c.hiddenSize, SizeLimit.WIDTH);
    boolean scaleWeights = f.boolOr("scale_attn_weights", true);
    boolean byLayer = f.boolOr("scale_attn_by_inverse_layer_idx", false);
    for (int i = 0; i < layers; i++) {
      double scale = (scaleWeights ? 1 / Math.sqrt(headDim) : 1.0) / (byLayer ? i + 1 : 1);
      c.blocks.add(BlockConfig.of(AttentionConfig.full(heads, heads, headDim).withSoftmaxScale(scale),
          FfnConfig.plain(inner)));
    }
    c.vocabSize = f.size("vocab_size", SizeLimit.VOCAB);
    c.maxPositions = f.positiveIntOr("n_positions", 1024);
    c.norm = new NormConfig(NormKind.LAYER, f.nonNegativeDoubleOr("layer_norm_epsilon", 1e-5), 0);
    c.activation = CommonFields.activation(f, "activation_function", "gelu_new");
    c.tieWordEmbeddings = f.boolOr("tie_word_embeddings", true);
    c.dtype = CommonFields.dtype(f);
    c.bias = BiasConfig.all();
    c.bosTokenId = f.optionalInt("bos_token_id");
    return c;
  }
}

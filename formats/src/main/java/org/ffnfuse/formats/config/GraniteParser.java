package org.ffnfuse.formats.config;

import org.ffnfuse.formats.ModelFormatException;

/**
 * Granite: a Llama with multipliers: {@code embedding_multiplier} on embeddings, {@code residual_multiplier} on each
 * branch output, {@code attention_multiplier} as the softmax scale (replacing {@code 1/sqrt(head_dim)}) and
 * {@code logits_scaling} dividing the logits.
 */
final class GraniteParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = CommonFields.llamaLike(family, f, CommonFields.Defaults.llama());
    double attention = f.positiveDoubleOr("attention_multiplier", 1.0);
    for (int i = 0; i < c.blocks.size(); i++) {
      BlockConfig b = c.blocks.get(i);
      c.blocks.set(i, BlockConfig.of(b.attention().withSoftmaxScale(attention), b.ffn()));
    }
    c.scaling = new Scaling(f.doubleOr("embedding_multiplier", 1.0), f.doubleOr("residual_multiplier", 1.0),
        f.positiveDoubleOr("logits_scaling", 1.0), c.scaling.attentionSoftcap(), c.scaling.finalLogitSoftcap());
    return c;
  }
}

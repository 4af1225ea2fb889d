package org.ffnfuse.formats.config;

import org.ffnfuse.formats.ModelFormatException;

/**
 * OLMo-2: norms after each branch ({@code post_attention_layernorm}, {@code post_feedforward_layernorm}) and RMSNorm
 * of the full q and k projections; {@code rms_norm_eps} default 1e-5.
 */
final class Olmo2Parser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    ConfigDraft c = CommonFields.llamaLike(family, f, CommonFields.Defaults.llama().withEps(1e-5));
    c.layout = ResidualLayout.POST_NORM;
    c.qkNorm = QkNorm.FULL;
    return c;
  }
}

package org.ffnfuse.formats.config;

import java.util.OptionalDouble;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Gemma and Gemma-2: {@code x·(1+w)} RMSNorm, embeddings scaled by {@code sqrt(hidden)}, GeGLU
 * ({@code hidden_activation} preferred over {@code hidden_act}), tied embeddings by default, {@code head_dim} default
 * 256. Gemma-2 adds sandwich norms, {@code query_pre_attn_scalar}, attention and final-logit soft caps and a sliding
 * window on every other layer (even indices).
 */
final class GemmaParser implements FamilyParser {
  @Override
  public ConfigDraft parse(ModelFamily family, ConfigFields f) throws ModelFormatException {
    CommonFields.Defaults d = CommonFields.Defaults.llama().withTie(true).withActivation("gelu_pytorch_tanh")
        .withHeadDim(256);
    ConfigDraft c = CommonFields.llamaLike(family, f, d);
    if (f.has("hidden_activation")) {
      c.activation = CommonFields.activation(f, "hidden_activation", "gelu_pytorch_tanh");
    }
    c.norm = new NormConfig(NormKind.RMS, c.norm.eps(), 1);
    if (family == ModelFamily.GEMMA) {
      c.scaling = new Scaling(Math.sqrt(c.hiddenSize), 1, 1, OptionalDouble.empty(), OptionalDouble.empty());
      return c;
    }
    c.layout = ResidualLayout.SANDWICH;
    double queryScalar = f.positiveDoubleOr("query_pre_attn_scalar", 256);
    for (int i = 0; i < c.blocks.size(); i++) {
      BlockConfig b = c.blocks.get(i);
      c.blocks.set(i, BlockConfig.of(b.attention().withSoftmaxScale(1 / Math.sqrt(queryScalar)), b.ffn()));
    }
    OptionalDouble attnCap = softcap(f, "attn_logit_softcapping", 50);
    OptionalDouble finalCap = softcap(f, "final_logit_softcapping", 30);
    c.scaling = new Scaling(Math.sqrt(c.hiddenSize), 1, 1, attnCap, finalCap);
    int window = f.positiveIntOr("sliding_window", 4096);
    if (!SlidingWindows.applyLayerTypes(c, f, window)) {
      for (int i = 0; i < c.blocks.size(); i += 2) { // Gemma2DecoderLayer: is_sliding = not bool(layer_idx % 2)
        SlidingWindows.apply(c, f, i, window);
      }
    }
    return c;
  }

  /** Absent → the default cap; explicit {@code null} → no cap. */
  private static OptionalDouble softcap(ConfigFields f, String name, double dflt) throws ModelFormatException {
    if (f.has(name)) {
      return OptionalDouble.of(f.positiveDoubleOr(name, dflt));
    }
    return f.isExplicitNull(name) ? OptionalDouble.empty() : OptionalDouble.of(dflt);
  }
}

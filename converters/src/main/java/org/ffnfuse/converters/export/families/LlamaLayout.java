package org.ffnfuse.converters.export.families;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.converters.export.model.AttentionWeights;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.converters.export.model.NormWeights;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.BlockConfig;
import org.ffnfuse.formats.config.FfnKind;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.QkNorm;
import org.ffnfuse.formats.config.ResidualLayout;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * The {@code model.layers.N.self_attn.q_proj} naming of Llama, Mistral, Qwen2/3, Gemma/Gemma-2, OLMo-2, Granite and
 * nemotron-nas ({@code self_attn.linear_attn}, {@code mlp.linear_mlp}; no tensors for no-op parts). Norm names follow
 * the residual layout: pre-norm {@code input_layernorm}/{@code post_attention_layernorm}; OLMo-2
 * {@code post_attention_layernorm}/{@code post_feedforward_layernorm} after the branches; Gemma-2 all four.
 */
class LlamaLayout implements FamilyLayout {
  @Override
  public ExportModel load(ModelConfig c, TensorLookup t) throws ModelFormatException {
    long h = c.hiddenSize();
    Tensor embed = t.require("model.embed_tokens.weight", c.vocabSize(), h);
    List<BlockWeights> blocks = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      blocks.add(block(c, t, i, "model.layers." + i + "."));
    }
    NormWeights norm = NormWeights.of(t.require("model.norm.weight", h));
    Optional<Linear> head = c.tieWordEmbeddings() ? Optional.empty()
        : Optional.of(Linear.of(t.require("lm_head.weight", c.vocabSize(), h)));
    return new ExportModel(c, embed, Optional.empty(), blocks, norm, head);
  }

  private BlockWeights block(ModelConfig c, TensorLookup t, int i, String p) throws ModelFormatException {
    long h = c.hiddenSize();
    BlockConfig b = c.block(i);
    BlockWeights.Builder w = BlockWeights.builder();
    ResidualLayout layout = c.layout();
    AttentionKind ak = b.attention().kind();
    if (ak != AttentionKind.NONE) {
      if (layout == ResidualLayout.POST_NORM) {
        w.postAttentionNorm(NormWeights.of(t.require(p + "post_attention_layernorm.weight", h)));
      } else {
        w.attentionNorm(NormWeights.of(t.require(p + "input_layernorm.weight", h)));
        if (layout == ResidualLayout.SANDWICH) {
          w.postAttentionNorm(NormWeights.of(t.require(p + "post_attention_layernorm.weight", h)));
        }
      }
      if (ak == AttentionKind.FULL) {
        w.attention(attention(c, t, b.attention(), p + "self_attn."));
      } else {
        w.linearAttention(Linear.of(t.require(p + "self_attn.linear_attn.weight", h, h)));
      }
    }
    FfnKind fk = b.ffn().kind();
    if (fk != FfnKind.NONE) {
      switch (layout) {
        case POST_NORM -> w.postFfnNorm(NormWeights.of(t.require(p + "post_feedforward_layernorm.weight", h)));
        case SANDWICH -> {
          w.ffnNorm(NormWeights.of(t.require(p + "pre_feedforward_layernorm.weight", h)));
          w.postFfnNorm(NormWeights.of(t.require(p + "post_feedforward_layernorm.weight", h)));
        }
        default -> w.ffnNorm(NormWeights.of(t.require(p + "post_attention_layernorm.weight", h)));
      }
      if (fk == FfnKind.LINEAR) {
        w.linearFfn(Linear.of(t.require(p + "mlp.linear_mlp.weight", h, h)));
      } else {
        w.ffn(ffn(c, t, b.ffn().intermediateSize(), p + "mlp."));
      }
    }
    return w.build();
  }

  /** q/k/v/o (+ biases, + q/k norms) under {@code p} = {@code model.layers.N.self_attn.}. */
  AttentionWeights attention(ModelConfig c, TensorLookup t, AttentionConfig a, String p)
      throws ModelFormatException {
    long h = c.hiddenSize();
    long q = (long) a.numHeads() * a.headDim();
    long kv = (long) a.numKvHeads() * a.headDim();
    boolean qkvBias = c.bias().qkv();
    Linear lq = Linear.of(t.require(p + "q_proj.weight", q, h), t.requireIf(qkvBias, p + "q_proj.bias", q));
    Linear lk = Linear.of(t.require(p + "k_proj.weight", kv, h), t.requireIf(qkvBias, p + "k_proj.bias", kv));
    Linear lv = Linear.of(t.require(p + "v_proj.weight", kv, h), t.requireIf(qkvBias, p + "v_proj.bias", kv));
    Linear lo = Linear.of(t.require(p + "o_proj.weight", h, q),
        t.requireIf(c.bias().attentionOutput(), p + "o_proj.bias", h));
    return withQkNorms(c, t, a, p, lq, lk, lv, lo);
  }

  static AttentionWeights withQkNorms(ModelConfig c, TensorLookup t, AttentionConfig a, String p, Linear q, Linear k,
      Linear v, Linear o) throws ModelFormatException {
    if (c.qkNorm() == QkNorm.NONE) {
      return AttentionWeights.of(q, k, v, o);
    }
    boolean perHead = c.qkNorm() == QkNorm.PER_HEAD;
    long qn = perHead ? a.headDim() : (long) a.numHeads() * a.headDim();
    long kn = perHead ? a.headDim() : (long) a.numKvHeads() * a.headDim();
    return new AttentionWeights(q, k, v, o, Optional.of(NormWeights.of(t.require(p + "q_norm.weight", qn))),
        Optional.of(NormWeights.of(t.require(p + "k_norm.weight", kn))));
  }

  /** gate/up/down (+ biases) under {@code p} = {@code model.layers.N.mlp.}. */
  FfnWeights ffn(ModelConfig c, TensorLookup t, long width, String p) throws ModelFormatException {
    long h = c.hiddenSize();
    boolean bias = c.bias().mlp();
    return FfnWeights.gated(
        Linear.of(t.require(p + "gate_proj.weight", width, h), t.requireIf(bias, p + "gate_proj.bias", width)),
        Linear.of(t.require(p + "up_proj.weight", width, h), t.requireIf(bias, p + "up_proj.bias", width)),
        Linear.of(t.require(p + "down_proj.weight", h, width), t.requireIf(bias, p + "down_proj.bias", h)));
  }
}

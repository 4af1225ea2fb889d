package org.ffnfuse.converters.export.families;

import org.ffnfuse.converters.export.model.AttentionWeights;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Phi-3: Llama naming, but {@code self_attn.qkv_proj} {@code [q; k; v]} and {@code mlp.gate_up_proj}
 * {@code [gate; up]} are fused along the output rows; they are split here as zero-copy row views.
 */
final class Phi3Layout extends LlamaLayout {
  @Override
  AttentionWeights attention(ModelConfig c, TensorLookup t, AttentionConfig a, String p)
      throws ModelFormatException {
    long h = c.hiddenSize();
    long q = (long) a.numHeads() * a.headDim();
    long kv = (long) a.numKvHeads() * a.headDim();
    Tensor qkv = t.require(p + "qkv_proj.weight", q + 2 * kv, h);
    return AttentionWeights.of(Linear.of(TensorViews.rows(qkv, 0, q)), Linear.of(TensorViews.rows(qkv, q, q + kv)),
        Linear.of(TensorViews.rows(qkv, q + kv, q + 2 * kv)), Linear.of(t.require(p + "o_proj.weight", h, q)));
  }

  @Override
  FfnWeights ffn(ModelConfig c, TensorLookup t, long width, String p) throws ModelFormatException {
    long h = c.hiddenSize();
    Tensor gateUp = t.require(p + "gate_up_proj.weight", 2 * width, h);
    return FfnWeights.gated(Linear.of(TensorViews.rows(gateUp, 0, width)),
        Linear.of(TensorViews.rows(gateUp, width, 2 * width)), Linear.of(t.require(p + "down_proj.weight", h, width)));
  }
}

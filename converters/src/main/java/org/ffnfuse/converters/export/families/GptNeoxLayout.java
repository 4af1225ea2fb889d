package org.ffnfuse.converters.export.families;

import java.util.ArrayList;
import java.util.Collections;
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
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;

/**
 * GPT-NeoX: {@code gpt_neox.embed_in}, {@code gpt_neox.layers.N.attention.query_key_value} whose output rows are
 * interleaved per head ({@code [head][q|k|v][head_dim]}, as {@code GPTNeoXAttention} views them), {@code dense},
 * {@code mlp.dense_h_to_4h}/{@code dense_4h_to_h}, LayerNorms with bias, {@code embed_out}.
 */
final class GptNeoxLayout implements FamilyLayout {
  @Override
  public ExportModel load(ModelConfig c, TensorLookup t) throws ModelFormatException {
    long h = c.hiddenSize();
    Tensor embed = t.require("gpt_neox.embed_in.weight", c.vocabSize(), h);
    List<BlockWeights> blocks = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "gpt_neox.layers." + i + ".";
      AttentionConfig a = c.block(i).attention();
      long inner = c.block(i).ffn().intermediateSize();
      long q = (long) a.numHeads() * a.headDim();
      Tensor qkv = t.require(p + "attention.query_key_value.weight", 3 * q, h);
      Optional<Tensor> qkvBias = t.requireIf(c.bias().qkv(), p + "attention.query_key_value.bias", 3 * q);
      Linear[] parts = new Linear[3];
      for (int k = 0; k < 3; k++) {
        Optional<Tensor> bias = qkvBias.isPresent()
            ? Optional.of(TensorViews.reshaped(gather(TensorViews.reshaped(qkvBias.get(), Shape.of(3 * q, 1)), a, k),
                Shape.of(q)))
            : Optional.empty();
        parts[k] = Linear.of(gather(qkv, a, k), bias);
      }
      Linear dense = Linear.of(t.require(p + "attention.dense.weight", h, q),
          t.requireIf(c.bias().attentionOutput(), p + "attention.dense.bias", h));
      blocks.add(BlockWeights.builder()
          .attentionNorm(layerNorm(t, p + "input_layernorm", h))
          .attention(AttentionWeights.of(parts[0], parts[1], parts[2], dense))
          .ffnNorm(layerNorm(t, p + "post_attention_layernorm", h))
          .ffn(FfnWeights.plain(
              Linear.of(t.require(p + "mlp.dense_h_to_4h.weight", inner, h),
                  Optional.of(t.require(p + "mlp.dense_h_to_4h.bias", inner))),
              Linear.of(t.require(p + "mlp.dense_4h_to_h.weight", h, inner),
                  Optional.of(t.require(p + "mlp.dense_4h_to_h.bias", h)))))
          .build());
    }
    Optional<Linear> head = c.tieWordEmbeddings() ? Optional.empty()
        : Optional.of(Linear.of(t.require("embed_out.weight", c.vocabSize(), h)));
    return new ExportModel(c, embed, Optional.empty(), blocks, layerNorm(t, "gpt_neox.final_layer_norm", h), head);
  }

  /** Rows of part {@code k} (0 q, 1 k, 2 v) of every head, from the per-head interleaved fused projection. */
  private static Tensor gather(Tensor fused, AttentionConfig a, int k) {
    long hd = a.headDim();
    List<Tensor> rows = new ArrayList<>();
    for (int head = 0; head < a.numHeads(); head++) {
      long start = (3L * head + k) * hd;
      rows.add(TensorViews.rows(fused, start, start + hd));
    }
    return Tensors.concatRows(fused.dtype(), rows, Collections.nCopies(rows.size(), Optional.empty()));
  }

  private static NormWeights layerNorm(TensorLookup t, String name, long h) throws ModelFormatException {
    return NormWeights.of(t.require(name + ".weight", h), Optional.of(t.require(name + ".bias", h)));
  }
}

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
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;

/**
 * GPT-2: {@code [transformer.]wte/wpe/h.N/ln_f}, {@code Conv1D} weights stored {@code [in, out]}, the fused
 * {@code attn.c_attn} {@code [hidden, 3·hidden]} split by columns into q, k, v (lazily), biases everywhere.
 */
final class Gpt2Layout implements FamilyLayout {
  @Override
  public ExportModel load(ModelConfig c, TensorLookup t) throws ModelFormatException {
    String p = t.contains("transformer.wte.weight") ? "transformer." : "";
    long h = c.hiddenSize();
    Tensor wte = t.require(p + "wte.weight", c.vocabSize(), h);
    Tensor wpe = t.require(p + "wpe.weight", c.maxPositions(), h);
    List<BlockWeights> blocks = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      String b = p + "h." + i + ".";
      long inner = c.block(i).ffn().intermediateSize();
      Tensor cAttn = t.require(b + "attn.c_attn.weight", h, 3 * h);
      Tensor cAttnBias = TensorViews.reshaped(t.require(b + "attn.c_attn.bias", 3 * h), Shape.of(3 * h, 1));
      Linear[] qkv = new Linear[3];
      for (int k = 0; k < 3; k++) {
        Tensor w = Tensors.sliceColumns(cAttn, k * h, (k + 1) * h, cAttn.dtype());
        Tensor bias = TensorViews.reshaped(TensorViews.rows(cAttnBias, k * h, (k + 1) * h), Shape.of(h));
        qkv[k] = new Linear(w, true, Optional.of(bias));
      }
      Linear o = conv1d(t, b + "attn.c_proj", h, h);
      blocks.add(BlockWeights.builder()
          .attentionNorm(layerNorm(t, b + "ln_1", h))
          .attention(AttentionWeights.of(qkv[0], qkv[1], qkv[2], o))
          .ffnNorm(layerNorm(t, b + "ln_2", h))
          .ffn(FfnWeights.plain(conv1d(t, b + "mlp.c_fc", h, inner), conv1d(t, b + "mlp.c_proj", inner, h)))
          .build());
    }
    Optional<Linear> head = c.tieWordEmbeddings() ? Optional.empty()
        : Optional.of(Linear.of(t.require("lm_head.weight", c.vocabSize(), h)));
    return new ExportModel(c, wte, Optional.of(wpe), blocks, layerNorm(t, p + "ln_f", h), head);
  }

  private static Linear conv1d(TensorLookup t, String name, long in, long out) throws ModelFormatException {
    return new Linear(t.require(name + ".weight", in, out), true, Optional.of(t.require(name + ".bias", out)));
  }

  private static NormWeights layerNorm(TensorLookup t, String name, long h) throws ModelFormatException {
    return NormWeights.of(t.require(name + ".weight", h), Optional.of(t.require(name + ".bias", h)));
  }
}

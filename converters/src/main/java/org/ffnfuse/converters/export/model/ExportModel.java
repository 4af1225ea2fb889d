package org.ffnfuse.converters.export.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.BlockConfig;
import org.ffnfuse.formats.config.FfnKind;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * A causal LM to export, held as a description plus lazy weight sources: the config (per-block attention and FFN
 * kinds and sizes) and, per block, the {@link Tensor}s to use. Tensors may be views of a checkpoint or computed on
 * the fly (a fused FFN's concatenated weights); nothing is read until the ONNX file is written.
 *
 * @param config the model's config; its {@link ModelConfig#blocks()} say what each block is
 * @param embedding token embedding {@code [vocab, hidden]}
 * @param positionEmbedding learned position embedding {@code [maxPositions, hidden]} (GPT-2), if the config has no
 *     rotary embedding
 * @param blocks one entry per config block
 * @param finalNorm the norm before the LM head
 * @param lmHead the LM head; empty when it is tied to {@code embedding}
 */
public record ExportModel(ModelConfig config, Tensor embedding, Optional<Tensor> positionEmbedding,
    List<BlockWeights> blocks, NormWeights finalNorm, Optional<Linear> lmHead) {
  public ExportModel {
    checkNotNull(config);
    checkNotNull(embedding);
    checkNotNull(positionEmbedding);
    blocks = List.copyOf(blocks);
    checkNotNull(finalNorm);
    checkNotNull(lmHead);
    long hidden = config.hiddenSize();
    checkArgument(embedding.shape().rank() == 2 && embedding.shape().dim(1) == hidden, "embedding %s for hidden %s",
        embedding.shape(), hidden);
    checkArgument(config.learnedPositions() == positionEmbedding.isPresent(),
        "position embedding present: %s, but config learned positions: %s", positionEmbedding.isPresent(),
        config.learnedPositions());
    checkArgument(blocks.size() == config.numLayers(), "%s block weights for %s blocks", blocks.size(),
        config.numLayers());
    for (int i = 0; i < blocks.size(); i++) {
      checkBlock(i, config.block(i), blocks.get(i), hidden);
    }
    lmHead.ifPresent(h -> checkArgument(h.inFeatures() == hidden, "lm head takes %s features, hidden is %s",
        h.inFeatures(), hidden));
  }

  private static void checkBlock(int i, BlockConfig c, BlockWeights w, long hidden) {
    AttentionConfig a = c.attention();
    checkArgument(w.attention().isPresent() == (a.kind() == AttentionKind.FULL), "block %s: attention weights vs %s",
        i, a.kind());
    checkArgument(w.linearAttention().isPresent() == (a.kind() == AttentionKind.LINEAR),
        "block %s: linear attention weights vs %s", i, a.kind());
    w.attention().ifPresent(aw -> {
      checkArgument(aw.q().inFeatures() == hidden && aw.q().outFeatures() == (long) a.numHeads() * a.headDim(),
          "block %s: q %sx%s for %s heads of %s", i, aw.q().inFeatures(), aw.q().outFeatures(), a.numHeads(),
          a.headDim());
      long kv = (long) a.numKvHeads() * a.headDim();
      checkArgument(aw.k().outFeatures() == kv && aw.v().outFeatures() == kv, "block %s: k/v out %s/%s, expected %s",
          i, aw.k().outFeatures(), aw.v().outFeatures(), kv);
      checkArgument(aw.o().outFeatures() == hidden, "block %s: o out %s", i, aw.o().outFeatures());
    });
    FfnKind f = c.ffn().kind();
    boolean hasFfn = f == FfnKind.GATED || f == FfnKind.PLAIN;
    checkArgument(w.ffn().isPresent() == hasFfn, "block %s: FFN weights vs %s", i, f);
    checkArgument(w.linearFfn().isPresent() == (f == FfnKind.LINEAR), "block %s: linear FFN weights vs %s", i, f);
    w.ffn().ifPresent(fw -> {
      checkArgument(fw.gate().isPresent() == (f == FfnKind.GATED), "block %s: gate present %s for %s", i,
          fw.gate().isPresent(), f);
      checkArgument(fw.width() == c.ffn().intermediateSize() && fw.up().inFeatures() == hidden
          && fw.down().outFeatures() == hidden, "block %s: FFN %s→%s→%s, config width %s", i, fw.up().inFeatures(),
          fw.width(), fw.down().outFeatures(), c.ffn().intermediateSize());
    });
  }

  /** Whether the LM head reuses the token embedding. */
  public boolean tiedHead() {
    return lmHead.isEmpty();
  }

  /** This model with other blocks and config (e.g. after fusion); weights of other parts are kept. */
  public ExportModel withBlocks(ModelConfig newConfig, List<BlockWeights> newBlocks) {
    return new ExportModel(newConfig, embedding, positionEmbedding, newBlocks, finalNorm, lmHead);
  }
}

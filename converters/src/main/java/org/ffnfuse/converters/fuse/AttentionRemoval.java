package org.ffnfuse.converters.fuse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.BlockConfig;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ResidualLayout;

/**
 * Removes the attention sub-block of chosen blocks: its weights and the norm in front of it go, the FFN stays, and
 * the block's attention becomes {@code no_op} — what NVIDIA's Puzzle does before FFN Fusion.
 */
public final class AttentionRemoval {
  private AttentionRemoval() {}

  /**
   * Parses {@code 8-14} or {@code 3,5,8-10} into block indices.
   *
   * @throws IllegalArgumentException naming the bad item
   */
  public static Set<Integer> parseBlocks(String spec) {
    Set<Integer> out = new TreeSet<>();
    for (String item : spec.split(",")) {
      String s = item.trim();
      if (s.isEmpty()) {
        continue;
      }
      try {
        String[] p = s.split("-", -1);
        int a = Integer.parseInt(p[0].trim());
        int b = p.length == 2 ? Integer.parseInt(p[1].trim()) : a;
        if (p.length > 2 || a < 0 || b < a) {
          throw new IllegalArgumentException("block range '" + s + "' is not FIRST-LAST with 0 ≤ FIRST ≤ LAST");
        }
        for (int i = a; i <= b; i++) {
          out.add(i);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("block range '" + s + "' is not FIRST-LAST (e.g. 8-14)", e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no blocks in '" + spec + "' (expected e.g. 8-14)");
    }
    return out;
  }

  /**
   * {@code model} without attention in {@code blocks}.
   *
   * @throws IllegalArgumentException if a block is out of range, or the layout keeps attention and FFN entangled
   *     (parallel residual, post-norm)
   */
  public static ExportModel drop(ExportModel model, Set<Integer> blocks) {
    ModelConfig config = model.config();
    if (config.layout() == ResidualLayout.PARALLEL || config.layout() == ResidualLayout.POST_NORM) {
      throw new IllegalArgumentException(config.family().modelType() + " (" + config.layout()
          + " residual layout) is not supported by drop-attention");
    }
    List<BlockConfig> cfg = new ArrayList<>(config.blocks());
    List<BlockWeights> weights = new ArrayList<>(model.blocks());
    for (int i : blocks) {
      if (i < 0 || i >= cfg.size()) {
        throw new IllegalArgumentException("block " + i + " does not exist (the model has blocks 0-"
            + (cfg.size() - 1) + ")");
      }
      if (cfg.get(i).attention().kind() == AttentionKind.NONE) {
        continue;
      }
      cfg.set(i, BlockConfig.of(AttentionConfig.none(), cfg.get(i).ffn()));
      BlockWeights w = weights.get(i);
      BlockWeights.Builder b = BlockWeights.builder();
      w.ffnNorm().ifPresent(b::ffnNorm);
      w.ffn().ifPresent(b::ffn);
      w.linearFfn().ifPresent(b::linearFfn);
      w.postFfnNorm().ifPresent(b::postFfnNorm);
      weights.set(i, b.build());
    }
    return model.withBlocks(config.withBlocks(cfg), weights);
  }
}

package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.OptionalInt;

/**
 * One block's attention.
 *
 * @param kind full attention, a linear replacement, or none
 * @param numHeads query heads (0 unless {@link AttentionKind#FULL})
 * @param numKvHeads key/value heads; {@code numHeads % numKvHeads == 0} (0 unless full)
 * @param headDim per-head size (0 unless full)
 * @param softmaxScale the factor applied to {@code q·kᵀ} before softmax (usually {@code 1/sqrt(headDim)})
 * @param slidingWindow keys further back than this many positions are masked, if present
 */
public record AttentionConfig(
    AttentionKind kind, int numHeads, int numKvHeads, int headDim, double softmaxScale, OptionalInt slidingWindow) {
  public AttentionConfig {
    checkNotNull(kind);
    checkNotNull(slidingWindow);
    if (kind == AttentionKind.FULL) {
      checkArgument(numHeads > 0 && numKvHeads > 0 && headDim > 0 && numHeads % numKvHeads == 0,
          "heads %s, kv heads %s, head dim %s", numHeads, numKvHeads, headDim);
    } else {
      checkArgument(numHeads == 0 && numKvHeads == 0 && headDim == 0, "%s attention has no heads", kind);
    }
  }

  /** Full attention with the usual {@code 1/sqrt(headDim)} scale and no window. */
  public static AttentionConfig full(int numHeads, int numKvHeads, int headDim) {
    return new AttentionConfig(AttentionKind.FULL, numHeads, numKvHeads, headDim, 1 / Math.sqrt(headDim),
        OptionalInt.empty());
  }

  /** The linear replacement of nemotron-nas. */
  public static AttentionConfig linear() {
    return new AttentionConfig(AttentionKind.LINEAR, 0, 0, 0, 0, OptionalInt.empty());
  }

  /** No attention. */
  public static AttentionConfig none() {
    return new AttentionConfig(AttentionKind.NONE, 0, 0, 0, 0, OptionalInt.empty());
  }

  /** This config with another softmax scale. */
  public AttentionConfig withSoftmaxScale(double scale) {
    return new AttentionConfig(kind, numHeads, numKvHeads, headDim, scale, slidingWindow);
  }

  /** This config with a sliding window. */
  public AttentionConfig withSlidingWindow(int window) {
    return new AttentionConfig(kind, numHeads, numKvHeads, headDim, softmaxScale, OptionalInt.of(window));
  }
}

package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What a calibration run computes and how.
 *
 * @param batch windows per forward pass (memory grows with it: one batch's branch outputs are held at a time)
 * @param blockMatrix the block dependency matrix (one pass per block)
 * @param ffnMatrix the FFN-only dependency matrix (one pass per FFN)
 * @param attentionKl attention importance (one pass per attention branch)
 */
public record CalibrationOptions(int batch, boolean blockMatrix, boolean ffnMatrix, boolean attentionKl) {
  public CalibrationOptions {
    checkArgument(batch > 0, "batch %s", batch);
  }

  /** Everything, batches of 4 windows. */
  public static CalibrationOptions all() {
    return new CalibrationOptions(4, true, true, true);
  }

  /** Only attention importance (what {@code drop-attention --auto} needs). */
  public static CalibrationOptions attentionOnly() {
    return new CalibrationOptions(4, false, false, true);
  }

  public CalibrationOptions withBatch(int b) {
    return new CalibrationOptions(b, blockMatrix, ffnMatrix, attentionKl);
  }

  public CalibrationOptions withBlockMatrix(boolean on) {
    return new CalibrationOptions(batch, on, ffnMatrix, attentionKl);
  }

  public CalibrationOptions withFfnMatrix(boolean on) {
    return new CalibrationOptions(batch, blockMatrix, on, attentionKl);
  }

  public CalibrationOptions withAttentionKl(boolean on) {
    return new CalibrationOptions(batch, blockMatrix, ffnMatrix, on);
  }
}

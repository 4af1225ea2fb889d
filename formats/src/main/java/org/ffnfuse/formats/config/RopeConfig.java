package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Rotary position embedding, in Hugging Face's rotate-half layout: the first {@code rotaryDim} channels of each head
 * are rotated (pairs {@code i} and {@code i + rotaryDim/2}), the rest pass through.
 *
 * @param type frequency schedule
 * @param theta base ({@code rope_theta})
 * @param rotaryDim rotated channels per head (even; {@code head_dim × partial_rotary_factor})
 * @param factor scaling factor ({@link RopeType#LINEAR}, {@link RopeType#LLAMA3}; 1 otherwise)
 * @param lowFreqFactor llama3 {@code low_freq_factor} (1 otherwise)
 * @param highFreqFactor llama3 {@code high_freq_factor} (4 otherwise)
 * @param originalMaxPositions llama3 {@code original_max_position_embeddings} (0 otherwise)
 */
public record RopeConfig(RopeType type, double theta, int rotaryDim, double factor, double lowFreqFactor,
    double highFreqFactor, int originalMaxPositions) {
  public RopeConfig {
    checkNotNull(type);
    checkArgument(theta > 0, "theta %s", theta);
    checkArgument(rotaryDim > 0 && rotaryDim % 2 == 0, "rotary dim %s must be even and positive", rotaryDim);
    checkArgument(factor > 0, "factor %s", factor);
    if (type == RopeType.LLAMA3) {
      checkArgument(highFreqFactor > lowFreqFactor && lowFreqFactor > 0 && originalMaxPositions > 0,
          "llama3 rope: low %s, high %s, original max positions %s", lowFreqFactor, highFreqFactor,
          originalMaxPositions);
    }
  }

  /** Unscaled rotary embedding. */
  public static RopeConfig standard(double theta, int rotaryDim) {
    return new RopeConfig(RopeType.DEFAULT, theta, rotaryDim, 1, 1, 4, 0);
  }

  /**
   * The {@code rotaryDim/2} inverse frequencies, as Hugging Face computes them ({@code _compute_default_rope_parameters},
   * {@code _compute_linear_scaling_rope_parameters}, {@code _compute_llama3_parameters}); in double, rounded once.
   */
  public float[] inverseFrequencies() {
    int half = rotaryDim / 2;
    float[] out = new float[half];
    for (int i = 0; i < half; i++) {
      double inv = 1.0 / Math.pow(theta, (2.0 * i) / rotaryDim);
      out[i] = (float) switch (type) {
        case DEFAULT -> inv;
        case LINEAR -> inv / factor;
        case LLAMA3 -> llama3(inv);
      };
    }
    return out;
  }

  private double llama3(double inv) {
    double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
    double highFreqWavelen = originalMaxPositions / highFreqFactor;
    double wavelen = 2 * Math.PI / inv;
    if (wavelen > lowFreqWavelen) {
      return inv / factor; // low frequencies: fully interpolated
    }
    if (wavelen < highFreqWavelen) {
      return inv; // high frequencies: untouched
    }
    double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - smooth) * inv / factor + smooth * inv;
  }
}

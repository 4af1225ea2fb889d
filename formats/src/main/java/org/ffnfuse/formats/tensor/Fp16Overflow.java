package org.ffnfuse.formats.tensor;

/**
 * What narrowing a finite value beyond fp16's range to fp16 does. Such values ({@code |x| ≥ 65520}) round to
 * ±infinity, and one infinite weight makes a model output NaN, so by default the conversion fails.
 */
public enum Fp16Overflow {
  /** Fail with {@link Fp16OverflowException}, naming the value: a weight must not silently become infinite. */
  ERROR,
  /** Clamp to ±{@value FloatCodec#FP16_MAX}, the largest finite fp16 value (an explicit choice of the user). */
  CLAMP;

  /**
   * {@code t} ready to be written under this policy: as it is for {@link #ERROR}; for {@link #CLAMP}, a tensor
   * computed into fp16 (a conversion, transpose or concatenation) clamps its values before rounding.
   */
  public Tensor apply(Tensor t) {
    return this == CLAMP ? Tensors.clampedToFp16(t) : t;
  }
}

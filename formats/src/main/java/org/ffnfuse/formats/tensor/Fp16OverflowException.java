package org.ffnfuse.formats.tensor;

import java.util.Locale;

/**
 * A finite value was about to become ±infinity in a conversion to fp16 ({@link Fp16Overflow#ERROR}). Writers catch
 * it and report the tensor, as a {@link org.ffnfuse.formats.ModelFormatException}.
 */
public final class Fp16OverflowException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final float value;

  /** For the finite {@code value} that fp16 cannot hold. */
  public Fp16OverflowException(float value) {
    super(String.format(Locale.ROOT, "value %s is beyond fp16's range (±%s) and would become %sInfinity in fp16;"
        + " keep fp32 or bf16, or clamp to ±%s explicitly", value, FloatCodec.FP16_MAX, value > 0 ? "+" : "-",
        FloatCodec.FP16_MAX));
    this.value = value;
  }

  /** The value that does not fit. */
  public float value() {
    return value;
  }
}

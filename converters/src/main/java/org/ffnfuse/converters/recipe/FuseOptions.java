package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * The {@code fuse:} section: how the planned chains are fused.
 *
 * <pre>{@code
 * fuse:
 *   dtype: fp32               # dtype the fused weights are rounded to (default: output.dtype)
 *   keep_placeholders: false  # keep fused-away blocks as empty no-op blocks so layer numbers stay
 *   inline: false             # emit plain operators instead of one FusedFFN function node
 * }</pre>
 *
 * <p>{@code keep_placeholders} applies to checkpoint inputs, {@code inline} to ONNX inputs; each is ignored for the
 * other kind, so that one recipe serves a zoo of both (a checkpoint's fused FFN is exported as plain operators
 * anyway, and an ONNX graph has no layer numbers to keep).
 *
 * @param dtype key {@code dtype}; empty = the output dtype
 * @param keepPlaceholders key {@code keep_placeholders}
 * @param inline key {@code inline}
 */
public record FuseOptions(Optional<WeightDtype> dtype, boolean keepPlaceholders, boolean inline) {
  public FuseOptions {
    checkNotNull(dtype);
  }

  /** Every key at its default. */
  public static FuseOptions defaults() {
    return new FuseOptions(Optional.empty(), false, false);
  }
}

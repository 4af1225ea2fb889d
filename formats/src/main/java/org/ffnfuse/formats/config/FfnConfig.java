package org.ffnfuse.formats.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One block's feed-forward network.
 *
 * @param kind gated, plain, linear or none
 * @param intermediateSize the inner width (0 for {@link FfnKind#LINEAR} and {@link FfnKind#NONE})
 */
public record FfnConfig(FfnKind kind, int intermediateSize) {
  public FfnConfig {
    checkNotNull(kind);
    boolean hasWidth = kind == FfnKind.GATED || kind == FfnKind.PLAIN;
    checkArgument(hasWidth ? intermediateSize > 0 : intermediateSize == 0, "%s FFN of width %s", kind,
        intermediateSize);
  }

  public static FfnConfig gated(int intermediateSize) {
    return new FfnConfig(FfnKind.GATED, intermediateSize);
  }

  public static FfnConfig plain(int intermediateSize) {
    return new FfnConfig(FfnKind.PLAIN, intermediateSize);
  }

  public static FfnConfig linear() {
    return new FfnConfig(FfnKind.LINEAR, 0);
  }

  public static FfnConfig none() {
    return new FfnConfig(FfnKind.NONE, 0);
  }

  /**
   * nemotron-nas's width for {@code ffn_mult}: {@code roundup_256(int(2·ffn_mult·hidden/3))}, as in NVIDIA's
   * {@code _ffn_mult_to_intermediate_size} (evaluated in double, left to right, like Python). In {@code long}, so a
   * hostile {@code ffn_mult} gives a width callers can reject instead of one wrapped around to a negative int; values
   * past {@link Long#MAX_VALUE} saturate there.
   */
  public static long nemotronIntermediateSize(double ffnMult, int hiddenSize) {
    long n = (long) (2 * ffnMult * hiddenSize / 3);
    return n % 256 == 0 || n > Long.MAX_VALUE - 256 ? n : n + 256 - n % 256;
  }
}

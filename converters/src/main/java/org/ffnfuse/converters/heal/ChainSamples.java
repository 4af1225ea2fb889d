package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * Token vectors of one chain, collected on calibration text: {@code x}, the residual stream entering the chain's first
 * FFN norm, and {@code y}, the stream after its last block, in the original (sequential, unfused) model. Token
 * {@code t}'s vectors are elements {@code [t·hidden, (t+1)·hidden)} of {@link #x()} and {@link #y()}. Immutable.
 */
public final class ChainSamples {
  private final int hidden;
  private final int count;
  private final float[] x;
  private final float[] y;

  private ChainSamples(int hidden, int count, float[] x, float[] y) {
    this.hidden = hidden;
    this.count = count;
    this.x = x;
    this.y = y;
  }

  /**
   * Samples from arrays (copied).
   *
   * @throws IllegalArgumentException if the arrays differ in length or are not whole tokens
   */
  public static ChainSamples of(int hidden, float[] x, float[] y) {
    checkArgument(hidden > 0, "hidden %s", hidden);
    checkArgument(x.length == y.length && x.length % hidden == 0, "x has %s values, y %s, hidden %s", x.length,
        y.length, hidden);
    return new ChainSamples(hidden, x.length / hidden, x.clone(), y.clone());
  }

  /** Samples owning {@code x} and {@code y} (no copy): the caller must not change them afterwards. */
  static ChainSamples wrap(int hidden, int count, float[] x, float[] y) {
    checkArgument(x.length >= count * hidden && y.length >= count * hidden, "arrays shorter than %s tokens", count);
    return new ChainSamples(hidden, count, x, y);
  }

  /** Number of tokens. */
  public int count() {
    return count;
  }

  public int hidden() {
    return hidden;
  }

  /** All {@code x} vectors, token-major ({@code count·hidden} floats), read-only. */
  public FloatBuffer x() {
    return FloatBuffer.wrap(x, 0, count * hidden).slice().asReadOnlyBuffer();
  }

  /** All {@code y} vectors, token-major, read-only. */
  public FloatBuffer y() {
    return FloatBuffer.wrap(y, 0, count * hidden).slice().asReadOnlyBuffer();
  }

  /** Tokens {@code [from, to)} (copied). */
  public ChainSamples slice(int from, int to) {
    checkPositionIndexes(from, to, count);
    return new ChainSamples(hidden, to - from, Arrays.copyOfRange(x, from * hidden, to * hidden),
        Arrays.copyOfRange(y, from * hidden, to * hidden));
  }

  /** {@code Σ‖y − x‖²} over all tokens, the chain's total contribution energy. */
  public double contributionEnergy() {
    double s = 0;
    for (int i = 0; i < count * hidden; i++) {
      double d = (double) y[i] - x[i];
      s += d * d;
    }
    return s;
  }

  /** The first token whose {@code x} or {@code y} vector holds a NaN or an infinity, if any. */
  public OptionalInt firstNonFiniteToken() {
    for (int i = 0; i < count * hidden; i++) {
      if (!Float.isFinite(x[i]) || !Float.isFinite(y[i])) {
        return OptionalInt.of(i / hidden);
      }
    }
    return OptionalInt.empty();
  }

  float[] xArray() {
    return x;
  }

  float[] yArray() {
    return y;
  }

  @Override
  public String toString() {
    return "ChainSamples[" + count + " tokens, hidden " + hidden + "]";
  }
}

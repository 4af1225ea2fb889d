package org.ffnfuse.converters.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Optional;

/**
 * Cuts a token stream into evaluation windows. With BOS, window {@code w} is BOS followed by tokens
 * {@code [w·n, (w+1)·n)}; without, it is tokens {@code [w·n, (w+1)·n)} of a stream that already holds BOS tokens.
 * Every position but the last predicts the next token.
 */
public final class TokenWindows {
  private TokenWindows() {}

  /**
   * Up to {@code maxWindows} windows of {@code n} stream tokens each (plus BOS when given).
   *
   * @throws IllegalArgumentException if the stream holds not even one window
   */
  public static long[][] cut(long[] tokens, Optional<Long> bos, int n, int maxWindows) {
    checkArgument(n > 0 && maxWindows > 0, "window %s, max windows %s", n, maxWindows);
    int windows = Math.min(maxWindows, tokens.length / n);
    checkArgument(windows > 0, "%s tokens hold no window of %s; give more text or smaller windows", tokens.length, n);
    int offset = bos.isPresent() ? 1 : 0;
    long[][] out = new long[windows][n + offset];
    for (int w = 0; w < windows; w++) {
      if (offset == 1) {
        out[w][0] = bos.get();
      }
      System.arraycopy(tokens, w * n, out[w], offset, n);
    }
    return out;
  }
}

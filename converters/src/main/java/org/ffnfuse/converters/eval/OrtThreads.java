package org.ffnfuse.converters.eval;

/**
 * The one limit on thread counts (ONNX Runtime intra-op threads, training threads), shared by the command line's
 * {@code --threads} and the recipe's {@code threads} key. Every thread reserves a stack and per-thread buffers, so an
 * unbounded count (a typo such as 100000) exhausts memory instead of failing.
 */
public final class OrtThreads {
  /** The largest thread count accepted. */
  public static final int MAX = 4096;

  private OrtThreads() {}

  /** Whether {@code n} is a valid count: 0 (the runtime's choice) to {@link #MAX}. */
  public static boolean isValid(int n) {
    return n >= 0 && n <= MAX;
  }
}

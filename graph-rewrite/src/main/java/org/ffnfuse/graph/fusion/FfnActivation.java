package org.ffnfuse.graph.fusion;

/** Activation inside an FFN; fusion requires every member of a chain to use the same one. */
public enum FfnActivation {
  /** {@code x·sigmoid(x)} (SwiGLU). */
  SILU,
  /** {@code 0.5x(1 + erf(x/√2))}. */
  GELU,
  /** {@code 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))}: gelu_new, gelu_pytorch_tanh. */
  GELU_TANH,
  /** {@code max(0, x)}. */
  RELU;

  /** The activation applied to one value (reference semantics, used by tests and healing). */
  public double apply(double x) {
    return switch (this) {
      case SILU -> x / (1 + Math.exp(-x));
      case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
      case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
      case RELU -> Math.max(0, x);
    };
  }

  /** Abramowitz–Stegun 7.1.26 is too coarse for exactness tests; this uses a series/continued-fraction split. */
  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) {
      // Maclaurin series, converges quickly here.
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // Continued fraction for erfc.
      double f = 0;
      for (int n = 60; n >= 1; n--) {
        f = n / 2.0 / (ax + f);
      }
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
    }
    return x < 0 ? -r : r;
  }
}

package org.ffnfuse.converters.eval;

/**
 * A check on a model's outputs failed: the model runs, but what it computes is unusable (NaN or infinite values) or
 * past a threshold. The CLI exits 1 for it, the code reserved for a failed check; the message says what and where.
 */
public final class FailedCheckException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FailedCheckException(String message) {
    super(message);
  }
}

package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Settings of {@link Healing#heal}.
 *
 * @param method how to fit
 * @param tokens token vectors to collect per chain (training plus held-out)
 * @param heldOutFraction share of them (the last ones) kept for choosing λ / early stopping and for the report
 * @param threads ONNX Runtime intra-op threads for collection (0: its choice)
 * @param lstsq least-squares settings
 * @param distill distillation settings
 */
public record HealOptions(HealMethod method, int tokens, double heldOutFraction, int threads,
    LeastSquaresHealer.Options lstsq, DistillationOptions distill) {
  public HealOptions {
    checkNotNull(method);
    checkArgument(tokens >= 16, "collect at least 16 tokens, not %s", tokens);
    checkArgument(heldOutFraction > 0 && heldOutFraction < 0.5, "held-out fraction %s not in (0, 0.5)",
        heldOutFraction);
    checkArgument(threads >= 0, "threads %s", threads);
    checkNotNull(lstsq);
    checkNotNull(distill);
  }

  /** {@code method}, 32768 tokens, 10% held out, defaults for the rest. */
  public static HealOptions defaults(HealMethod method) {
    return new HealOptions(method, 32_768, 0.1, 0, LeastSquaresHealer.Options.defaults(),
        DistillationOptions.defaults());
  }

  public HealOptions withTokens(int n) {
    return new HealOptions(method, n, heldOutFraction, threads, lstsq, distill);
  }

  public HealOptions withThreads(int n) {
    return new HealOptions(method, tokens, heldOutFraction, n, lstsq, distill);
  }

  public HealOptions withLstsq(LeastSquaresHealer.Options o) {
    return new HealOptions(method, tokens, heldOutFraction, threads, o, distill);
  }

  public HealOptions withDistill(DistillationOptions o) {
    return new HealOptions(method, tokens, heldOutFraction, threads, lstsq, o);
  }
}

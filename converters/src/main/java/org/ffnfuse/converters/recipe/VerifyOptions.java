package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.ffnfuse.converters.verify.VerifyGates;
import org.ffnfuse.converters.verify.VerifyReport;

/**
 * The optional {@code verify:} section: compare the fused model with the original on held-out text, as
 * {@code ffnfuse verify} does, and fail the run past thresholds.
 *
 * <pre>{@code
 * verify:
 *   text: persuasion.txt     # evaluation text or {"ids":[…]} .json (default: calibration.text)
 *   window: 256              # tokens per window (default 256)
 *   windows: 64              # windows at most (default 64)
 *   max_ppl_increase: 0.10   # fail if fused perplexity is more than 10% above the original's
 *   max_kl: 0.5              # fail if mean KL(original‖fused) exceeds this (nats per token)
 *   min_top1: 0.8            # fail if top-1 agreement is below this (0..1)
 *   require_cuda: false      # fail unless both models run entirely on ONNX Runtime's CUDA EP
 * }</pre>
 *
 * @param text key {@code text}; empty = the calibration text
 * @param window key {@code window} (≥ 2)
 * @param windows key {@code windows} (≥ 1)
 * @param maxPplIncrease key {@code max_ppl_increase}, a fraction (0.1 = +10%)
 * @param maxKl key {@code max_kl}
 * @param minTop1 key {@code min_top1}
 * @param requireCuda key {@code require_cuda}
 */
public record VerifyOptions(Optional<Path> text, int window, int windows, OptionalDouble maxPplIncrease,
    OptionalDouble maxKl, OptionalDouble minTop1, boolean requireCuda) {
  /** Default {@code window}. */
  public static final int DEFAULT_WINDOW = 256;
  /** Default {@code windows}. */
  public static final int DEFAULT_WINDOWS = 64;

  public VerifyOptions {
    checkNotNull(text);
    checkArgument(window >= 2, "verify.window must be ≥ 2: %s", window);
    checkArgument(windows >= 1, "verify.windows must be ≥ 1: %s", windows);
    checkArgument(maxPplIncrease.isEmpty() || maxPplIncrease.getAsDouble() >= 0, "verify.max_ppl_increase < 0");
    checkArgument(maxKl.isEmpty() || maxKl.getAsDouble() >= 0, "verify.max_kl < 0");
    checkArgument(minTop1.isEmpty() || (minTop1.getAsDouble() >= 0 && minTop1.getAsDouble() <= 1),
        "verify.min_top1 outside 0..1");
  }

  /** Verification on {@code text} with default windows and no thresholds. */
  public static VerifyOptions of(Path text) {
    return new VerifyOptions(Optional.of(text), DEFAULT_WINDOW, DEFAULT_WINDOWS, OptionalDouble.empty(),
        OptionalDouble.empty(), OptionalDouble.empty(), false);
  }

  /** Every rule {@code r} breaks ({@link VerifyGates}, thresholds named by their keys); empty = passed. */
  public List<String> failures(VerifyReport r) {
    return new VerifyGates(maxPplIncrease, maxKl, minTop1, requireCuda, VerifyGates.Spelling.RECIPE).failures(r);
  }
}

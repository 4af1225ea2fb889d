package org.ffnfuse.converters.batch;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One row of the batch summary.
 *
 * @param model the model's name in the zoo (also its output folder)
 * @param status how it ended
 * @param perplexityBefore the original's perplexity on the verify text, if verified
 * @param perplexityAfter the fused model's, if verified
 * @param seconds wall time of its run (for a skipped model, of the run that wrote it)
 * @param memoryEstimate bytes reserved from the memory budget while it ran (0 if it did not run)
 * @param error why it failed (FAILED), or the thresholds exceeded (CHECKS_FAILED)
 */
public record BatchEntry(String model, JobStatus status, OptionalDouble perplexityBefore,
    OptionalDouble perplexityAfter, double seconds, long memoryEstimate, Optional<String> error) {
  public BatchEntry {
    checkNotNull(model);
    checkNotNull(status);
    checkNotNull(perplexityBefore);
    checkNotNull(perplexityAfter);
    checkNotNull(error);
  }
}

package org.ffnfuse.converters.heal;

/**
 * What a {@link DistillationBackend} returns.
 *
 * @param healed the parameters with the lowest held-out loss seen (the initial ones if training never improved)
 * @param heldOutBefore relative error {@code Σ‖y − x − F(x)‖² / Σ‖y − x‖²} of the initial block on the held-out tokens
 * @param heldOutAfter the same for {@code healed}
 * @param steps optimizer steps taken
 * @param epochs passes over the training tokens (fractional when stopped early)
 */
public record DistillationResult(FusedBlockParameters healed, double heldOutBefore, double heldOutAfter, int steps,
    double epochs) {}

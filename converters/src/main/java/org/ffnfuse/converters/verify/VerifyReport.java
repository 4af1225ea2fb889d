package org.ffnfuse.converters.verify;

/**
 * The comparison of an original and a fused model on the same evaluation windows.
 *
 * @param original the original model's checks
 * @param fused the fused model's checks
 * @param kl mean KL(original ‖ fused) of the next-token distributions, nats per token
 * @param top1 fraction of positions where both models' most likely next token agree
 * @param maxAbsLogitError largest |logit difference| over all positions and vocabulary entries
 * @param meanAbsLogitError mean |logit difference|
 * @param tokens predicted positions compared
 * @param windows evaluation windows
 * @param cudaCompatible both models run entirely on the CUDA EP
 */
public record VerifyReport(ModelCheck original, ModelCheck fused, double kl, double top1, double maxAbsLogitError,
    double meanAbsLogitError, long tokens, int windows, boolean cudaCompatible) {

  /** Relative perplexity change of the fused model, e.g. 0.03 for +3%. */
  public double perplexityIncrease() {
    return fused.perplexity() / original.perplexity() - 1;
  }
}

package org.ffnfuse.converters.verify;

import java.util.List;

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
 * @param nonFiniteLogits the first NaN or infinite logit of each model that produced one; empty when all were finite
 */
public record VerifyReport(ModelCheck original, ModelCheck fused, double kl, double top1, double maxAbsLogitError,
    double meanAbsLogitError, long tokens, int windows, boolean cudaCompatible, List<NonFiniteLogit> nonFiniteLogits) {
  public VerifyReport {
    nonFiniteLogits = List.copyOf(nonFiniteLogits);
  }

  /** Relative perplexity change of the fused model, e.g. 0.03 for +3%. */
  public double perplexityIncrease() {
    return fused.perplexity() / original.perplexity() - 1;
  }

  /** This report with the models named {@code original} and {@code fused} (e.g. instead of temporary exports). */
  public VerifyReport withModelPaths(String originalPath, String fusedPath) {
    return new VerifyReport(original.withPath(originalPath), fused.withPath(fusedPath), kl, top1, maxAbsLogitError,
        meanAbsLogitError, tokens, windows, cudaCompatible, nonFiniteLogits);
  }
}

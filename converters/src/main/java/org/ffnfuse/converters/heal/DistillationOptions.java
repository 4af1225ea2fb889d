package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Training settings for {@link DistillationBackend}.
 *
 * @param learningRate Adam's step size
 * @param batchSize tokens per mini-batch
 * @param maxEpochs passes over the training tokens at most
 * @param evalEvery steps between held-out evaluations
 * @param patience held-out evaluations without improvement before stopping
 * @param seed seeds the mini-batch order (and anything else random in the backend)
 * @param threads CPU threads the backend may use (0: its choice)
 */
public record DistillationOptions(double learningRate, int batchSize, int maxEpochs, int evalEvery, int patience,
    long seed, int threads) {
  public DistillationOptions {
    checkArgument(learningRate > 0 && Double.isFinite(learningRate), "learning rate %s", learningRate);
    checkArgument(batchSize > 0, "batch size %s", batchSize);
    checkArgument(maxEpochs > 0, "max epochs %s", maxEpochs);
    checkArgument(evalEvery > 0, "eval every %s", evalEvery);
    checkArgument(patience > 0, "patience %s", patience);
    checkArgument(threads >= 0, "threads %s", threads);
  }

  /** Adam 3e-4, batches of 256, up to 8 epochs, held-out check every 50 steps, patience 4, seed 1234. */
  public static DistillationOptions defaults() {
    return new DistillationOptions(3e-4, 256, 8, 50, 4, 1234, 0);
  }

  public DistillationOptions withLearningRate(double lr) {
    return new DistillationOptions(lr, batchSize, maxEpochs, evalEvery, patience, seed, threads);
  }

  public DistillationOptions withMaxEpochs(int epochs) {
    return new DistillationOptions(learningRate, batchSize, epochs, evalEvery, patience, seed, threads);
  }

  public DistillationOptions withBatchSize(int size) {
    return new DistillationOptions(learningRate, size, maxEpochs, evalEvery, patience, seed, threads);
  }

  public DistillationOptions withSeed(long s) {
    return new DistillationOptions(learningRate, batchSize, maxEpochs, evalEvery, patience, s, threads);
  }

  public DistillationOptions withThreads(int n) {
    return new DistillationOptions(learningRate, batchSize, maxEpochs, evalEvery, patience, seed, n);
  }
}

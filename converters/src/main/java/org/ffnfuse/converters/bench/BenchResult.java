package org.ffnfuse.converters.bench;

import java.util.List;

/**
 * One model at one batch size.
 *
 * @param model the model's label (file name)
 * @param batch batch size
 * @param seqLen tokens per sequence
 * @param medianMs median latency of one forward pass, milliseconds
 * @param p10Ms 10th percentile latency
 * @param p90Ms 90th percentile latency
 * @param tokensPerSecond {@code batch·seqLen / median}
 * @param samplesMs every timed run, in order
 */
public record BenchResult(String model, int batch, int seqLen, double medianMs, double p10Ms, double p90Ms,
    double tokensPerSecond, List<Double> samplesMs) {
  public BenchResult {
    samplesMs = List.copyOf(samplesMs);
  }
}

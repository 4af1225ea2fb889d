package org.ffnfuse.converters.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Objects;

/**
 * What to measure.
 *
 * @param batches batch sizes, each measured separately
 * @param seqLen tokens per sequence (a full prompt, no KV cache: prefill)
 * @param threads ONNX Runtime intra-op threads; 0 lets it choose
 * @param warmup untimed runs before timing
 * @param repeats timed runs; the median and spread are reported
 * @param provider execution provider
 * @param seed seed of the random token ids
 */
public record BenchConfig(List<Integer> batches, int seqLen, int threads, int warmup, int repeats,
    ExecutionProvider provider, long seed) {
  public BenchConfig {
    batches = List.copyOf(batches);
    checkArgument(!batches.isEmpty() && batches.stream().allMatch(b -> b > 0), "batch sizes must be positive: %s",
        batches);
    checkArgument(seqLen > 0, "sequence length must be positive: %s", seqLen);
    checkArgument(threads >= 0, "threads must be ≥ 0: %s", threads);
    checkArgument(warmup >= 0 && repeats >= 1, "warmup %s, repeats %s", warmup, repeats);
    Objects.requireNonNull(provider);
  }
}

package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.ffnfuse.converters.bench.BenchConfig;
import org.ffnfuse.converters.bench.ExecutionProvider;

/**
 * The optional {@code bench:} section: ONNX Runtime (CPU) latency of the original and the fused model, side by side.
 *
 * <pre>{@code
 * bench:
 *   batch: [1, 32]   # batch sizes (a list, or one number; default [1, 32])
 *   seq: 128         # tokens per sequence (default 128)
 *   warmup: 3        # untimed runs per batch size (default 3)
 *   repeats: 10      # timed runs per batch size; the median and p10–p90 are reported (default 10)
 * }</pre>
 *
 * @param batches key {@code batch}
 * @param seq key {@code seq}
 * @param warmup key {@code warmup}
 * @param repeats key {@code repeats}
 */
public record BenchOptions(List<Integer> batches, int seq, int warmup, int repeats) {
  public BenchOptions {
    batches = List.copyOf(batches);
    checkArgument(!batches.isEmpty() && batches.stream().allMatch(b -> b > 0), "bench.batch must be positive: %s",
        batches);
    checkArgument(seq > 0, "bench.seq must be positive: %s", seq);
    checkArgument(warmup >= 0, "bench.warmup must be ≥ 0: %s", warmup);
    checkArgument(repeats >= 1, "bench.repeats must be ≥ 1: %s", repeats);
  }

  /** Every key at its default. */
  public static BenchOptions defaults() {
    return new BenchOptions(List.of(1, 32), 128, 3, 10);
  }

  /** The benchmark configuration on the CPU execution provider. */
  public BenchConfig config(int threads, long seed) {
    return new BenchConfig(batches, seq, threads, warmup, repeats, ExecutionProvider.CPU, seed);
  }
}

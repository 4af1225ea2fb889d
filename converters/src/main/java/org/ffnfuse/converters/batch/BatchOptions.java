package org.ffnfuse.converters.batch;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How a batch runs.
 *
 * @param jobs worker threads, each running one model at a time (≥ 1)
 * @param memoryBudget bytes the running jobs' {@link MemoryEstimate}s may add up to
 */
public record BatchOptions(int jobs, long memoryBudget) {
  public BatchOptions {
    checkArgument(jobs >= 1, "jobs must be ≥ 1: %s", jobs);
    checkArgument(memoryBudget > 0, "memory budget must be positive: %s", memoryBudget);
  }

  /** One job, a budget of three quarters of the machine's memory (or 8 GiB if unknown). */
  public static BatchOptions defaults() {
    return new BatchOptions(1, defaultBudget());
  }

  /** Three quarters of physical memory, or 8 GiB if the platform does not say. */
  public static long defaultBudget() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getTotalMemorySize() > 0) {
      return sun.getTotalMemorySize() / 4 * 3;
    }
    return 8L << 30;
  }
}

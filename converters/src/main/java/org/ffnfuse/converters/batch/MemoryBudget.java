package org.ffnfuse.converters.batch;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * Admits jobs while the sum of their memory estimates fits a budget. A job larger than the whole budget is admitted
 * only when nothing else runs (it cannot fit better; refusing it would never finish the batch).
 */
public final class MemoryBudget {
  private final long budget;
  private long used;
  private int running;

  /** A budget of {@code bytes} (≥ 1). */
  public MemoryBudget(long bytes) {
    checkArgument(bytes > 0, "memory budget must be positive: %s", bytes);
    this.budget = bytes;
  }

  /** Blocks until {@code bytes} fit (or nothing else runs), then takes them. */
  public synchronized void acquire(long bytes) throws InterruptedException {
    checkArgument(bytes >= 0, "negative estimate %s", bytes);
    while (running > 0 && used + bytes > budget) {
      wait();
    }
    used += bytes;
    running++;
  }

  /** Returns what {@link #acquire} took. */
  public synchronized void release(long bytes) {
    used -= bytes;
    running--;
    notifyAll();
  }

  /** Bytes currently taken. */
  public synchronized long used() {
    return used;
  }

  /** The budget, bytes. */
  public long budget() {
    return budget;
  }

  /**
   * Parses {@code 8g}, {@code 512m}, {@code 1.5G}, {@code 2048k} or plain bytes (binary units: 1g = 2^30 bytes).
   *
   * @throws IllegalArgumentException naming the value if it is not a positive size
   */
  public static long parseSize(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    long unit = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'k' -> unit = 1L << 10;
        case 'm' -> unit = 1L << 20;
        case 'g' -> unit = 1L << 30;
        case 't' -> unit = 1L << 40;
        default -> unit = 1;
      }
    }
    String num = unit == 1 ? t : t.substring(0, t.length() - 1);
    if (!num.matches("[0-9]+(\\.[0-9]+)?")) {
      throw new IllegalArgumentException("memory size '" + s + "' is not a size like 8g, 512m or 1.5g");
    }
    double v = Double.parseDouble(num);
    if (!(v > 0) || v * unit >= Long.MAX_VALUE) {
      throw new IllegalArgumentException("memory size '" + s + "' must be positive (e.g. 8g)");
    }
    return (long) (v * unit);
  }
}

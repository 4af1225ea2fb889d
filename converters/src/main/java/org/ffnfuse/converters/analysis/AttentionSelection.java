package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Chooses attention sub-blocks to remove from their importance (Puzzle's replace-one-block scoring: the KL divergence
 * of the next-token distribution when that one attention is removed, {@link AnalysisResult#attentionKl()}).
 */
public final class AttentionSelection {
  private AttentionSelection() {}

  /**
   * The {@code n} attention blocks with the smallest KL (ties: lower block first).
   *
   * @throws IllegalArgumentException if fewer than {@code n} blocks have attention
   */
  public static SortedSet<Integer> leastImportant(SortedMap<Integer, Double> kl, int n) {
    checkArgument(n > 0 && n <= kl.size(), "cannot remove %s of %s attention blocks", n, kl.size());
    List<Map.Entry<Integer, Double>> e = new ArrayList<>(kl.entrySet());
    e.sort(Comparator.<Map.Entry<Integer, Double>>comparingDouble(Map.Entry::getValue)
        .thenComparing(Map.Entry::getKey));
    SortedSet<Integer> out = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      out.add(e.get(i).getKey());
    }
    return out;
  }

  /**
   * The contiguous run of {@code n} attention blocks with the smallest summed KL (ties: the earlier run).
   *
   * <p>Why contiguous: FFN Fusion fuses runs of consecutive FFNs with no attention between them, so removing attention
   * from {@code n} adjacent blocks yields one chain of {@code n + 1} FFNs (the block before the run contributes its
   * FFN too), while {@code n} scattered removals may yield no chain at all. The sum of single-removal KLs approximates
   * the joint damage (it ignores interactions), which is what the least-important choice assumes too. "Adjacent"
   * is counted among blocks that still have attention: blocks whose attention is already gone sit inside a run
   * anyway, so a window may span them and extend an existing attention-free region.
   *
   * @throws IllegalArgumentException if fewer than {@code n} blocks have attention
   */
  public static SortedSet<Integer> contiguous(SortedMap<Integer, Double> kl, int n) {
    checkArgument(n > 0 && n <= kl.size(), "cannot remove %s of %s attention blocks", n, kl.size());
    List<Integer> blocks = new ArrayList<>(kl.keySet());
    int best = -1;
    double bestSum = Double.POSITIVE_INFINITY;
    for (int s = 0; s + n <= blocks.size(); s++) {
      double sum = 0;
      for (int k = s; k < s + n; k++) {
        sum += kl.get(blocks.get(k));
      }
      if (sum < bestSum) {
        bestSum = sum;
        best = s;
      }
    }
    return new TreeSet<>(blocks.subList(best, best + n));
  }
}

package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Proposes FFN chains to fuse from a dependency matrix.
 *
 * <p><b>Where.</b> Chains lie inside attention-free runs ({@link #regions}); a chain may start at the block just before
 * a run. The last FFN of each run is left out by default — the FFN Fusion paper found fusing the final FFNs of a run
 * costs the most accuracy — unless {@code includeLast}.
 *
 * <p><b>Scores.</b> A chain {@code s..e} is scored by {@code M_max} and {@code M_sum} over {@code M[i][j]},
 * {@code s ≤ i < j ≤ e}, of the FFN-only matrix when the analysis has it (else the block matrix). Fusion turns the
 * chain's sequential FFNs into one parallel sum: FFN {@code j} then reads the stream without the outputs of FFNs
 * {@code s..j−1}. The FFN-only entry {@code [i][j]} measures exactly how FFN {@code j}'s output changes when FFN
 * {@code i}'s output leaves its input; the block matrix would also remove block {@code i}'s attention, which fusion
 * keeps.
 *
 * <p><b>How many.</b> Default: per run, one chain over the run itself (minus its last FFN) — the paper's recipe,
 * applied where attention is already gone; the block before the run is not added by default, since its FFN reads
 * the stream after its own attention, a dependency the run's FFNs do not have. {@code threshold t}: greedily merge
 * adjacent chains (starting from single FFNs, the block before each run included) in order of the merged chain's
 * {@code M_max}, while it stays ≤ t. {@code fuse N}: the same greedy merging across all runs until N FFNs are in
 * chains.
 */
public final class FusionPlanner {
  private FusionPlanner() {}

  /**
   * Planning options; at most one of {@code threshold} and {@code fuse}.
   *
   * @param threshold merge while {@code M_max ≤ threshold}
   * @param fuse fuse this many FFNs in total
   * @param includeLast allow the last FFN of each attention-free run into chains
   */
  public record Options(OptionalDouble threshold, OptionalInt fuse, boolean includeLast) {
    public Options {
      checkArgument(threshold.isEmpty() || fuse.isEmpty(), "give a threshold or a target number of FFNs, not both");
      checkArgument(threshold.isEmpty() || threshold.getAsDouble() >= 0, "negative threshold");
      checkArgument(fuse.isEmpty() || fuse.getAsInt() >= 2, "fusing fewer than 2 FFNs fuses nothing");
    }

    /** The default plan. */
    public static Options defaults() {
      return new Options(OptionalDouble.empty(), OptionalInt.empty(), false);
    }

    /** How the plan was chosen, for the report. */
    public String rule() {
      String base = threshold.isPresent() ? "threshold " + threshold.getAsDouble()
          : fuse.isPresent() ? "fuse " + fuse.getAsInt() : "default";
      return base + (includeLast ? ", last FFN included" : ", last FFN of each run left out");
    }
  }

  /**
   * A plan and its chains' scores.
   *
   * @param chains the chains (empty: nothing worth fusing)
   * @param rule how they were chosen
   */
  public record Plan(List<PlannedChain> chains, String rule) {
    public Plan {
      chains = List.copyOf(chains);
    }

    /** As a fusion plan. */
    public FusionPlan fusionPlan() {
      checkArgument(!chains.isEmpty(), "the plan is empty");
      return new FusionPlan(chains.stream().map(c -> new ChainRange(c.first(), c.last())).toList());
    }

    /** FFNs in chains. */
    public int fusedFfns() {
      return chains.stream().mapToInt(PlannedChain::length).sum();
    }
  }

  /** The matrix chains are scored by: the FFN-only matrix if measured, else the block matrix. */
  public static BlockMatrix scoringMatrix(AnalysisResult r) {
    return r.ffnMatrix().or(r::blockMatrix).orElseThrow(() -> new IllegalArgumentException(
        "the analysis has no dependency matrix; run analyze with the block or FFN matrix"));
  }

  /** The regions chains may lie in, in block order. */
  public static List<PlanRegion> regions(List<Boolean> attention, List<Boolean> ffn, boolean includeLast) {
    List<PlanRegion> out = new ArrayList<>();
    int n = attention.size();
    for (int i = 0; i < n; ) {
      if (attention.get(i) || !ffn.get(i)) {
        i++;
        continue;
      }
      int a = i;
      while (i < n && !attention.get(i) && ffn.get(i)) {
        i++;
      }
      int b = i - 1;
      int first = a > 0 && ffn.get(a - 1) ? a - 1 : a;
      int last = includeLast ? b : b - 1;
      if (last > first) {
        out.add(new PlanRegion(first, last, a, b));
      }
    }
    return out;
  }

  /** The plan for {@code r} under {@code o}. */
  public static Plan plan(AnalysisResult r, Options o) {
    return plan(scoringMatrix(r), regions(r.attention(), r.ffn(), o.includeLast()), o);
  }

  /**
   * The plan over {@code regions} scored by {@code m}.
   *
   * @throws IllegalArgumentException if {@code fuse N} asks for more FFNs than the regions hold
   */
  public static Plan plan(BlockMatrix m, List<PlanRegion> regions, Options o) {
    List<PlannedChain> chains = new ArrayList<>();
    if (o.threshold().isEmpty() && o.fuse().isEmpty()) {
      for (PlanRegion g : regions) {
        if (g.last() > g.runFirst()) {
          chains.add(score(m, g.runFirst(), g.last()));
        }
      }
      return new Plan(chains, o.rule());
    }
    int capacity = regions.stream().mapToInt(g -> g.last() - g.first() + 1).sum();
    if (o.fuse().isPresent()) {
      checkArgument(o.fuse().getAsInt() <= capacity, "only %s FFNs can be fused (attention-free runs %s%s); ask for"
          + " fewer, add --include-last, or remove more attention", capacity, regions,
          o.includeLast() ? "" : " without their last FFN");
    }
    return new Plan(greedy(m, regions, o), o.rule());
  }

  private static List<PlannedChain> greedy(BlockMatrix m, List<PlanRegion> regions, Options o) {
    // Groups as [first, last] per region; merge adjacent groups of the same region, cheapest merged M_max first.
    List<List<int[]>> groups = new ArrayList<>();
    for (PlanRegion g : regions) {
      List<int[]> l = new ArrayList<>();
      for (int b = g.first(); b <= g.last(); b++) {
        l.add(new int[] {b, b});
      }
      groups.add(l);
    }
    while (true) {
      int fused = fusedCount(groups);
      if (o.fuse().isPresent() && fused >= o.fuse().getAsInt()) {
        break;
      }
      int bestRegion = -1;
      int bestIndex = -1;
      PlannedChain best = null;
      for (int r = 0; r < groups.size(); r++) {
        List<int[]> l = groups.get(r);
        for (int k = 0; k + 1 < l.size(); k++) {
          PlannedChain merged = score(m, l.get(k)[0], l.get(k + 1)[1]);
          int gain = (l.get(k)[0] == l.get(k)[1] ? 1 : 0) + (l.get(k + 1)[0] == l.get(k + 1)[1] ? 1 : 0);
          if (o.threshold().isPresent() && merged.maxDependency() > o.threshold().getAsDouble()) {
            continue;
          }
          if (o.fuse().isPresent() && fused + gain > o.fuse().getAsInt()) {
            continue;
          }
          if (best == null || ORDER.compare(merged, best) < 0) {
            best = merged;
            bestRegion = r;
            bestIndex = k;
          }
        }
      }
      if (best == null) {
        break;
      }
      List<int[]> l = groups.get(bestRegion);
      l.set(bestIndex, new int[] {best.first(), best.last()});
      l.remove(bestIndex + 1);
    }
    List<PlannedChain> out = new ArrayList<>();
    for (List<int[]> l : groups) {
      for (int[] c : l) {
        if (c[1] > c[0]) {
          out.add(score(m, c[0], c[1]));
        }
      }
    }
    return out;
  }

  private static final Comparator<PlannedChain> ORDER = Comparator.comparingDouble(PlannedChain::maxDependency)
      .thenComparingDouble(PlannedChain::sumDependency).thenComparingInt(PlannedChain::first);

  private static int fusedCount(List<List<int[]>> groups) {
    int n = 0;
    for (List<int[]> l : groups) {
      for (int[] c : l) {
        n += c[1] > c[0] ? c[1] - c[0] + 1 : 0;
      }
    }
    return n;
  }

  /** Chain {@code first..last} with its scores under {@code m}. */
  public static PlannedChain score(BlockMatrix m, int first, int last) {
    return new PlannedChain(first, last, m.maxWithin(first, last), m.sumWithin(first, last));
  }

  /**
   * Alternatives to {@code plan} for {@code --verify}: the plan itself first, then each chain shifted by one or two
   * blocks either way (kept inside its region and off the other chains), at most {@code max} plans. Shifts keep every
   * chain's length, so the candidates fuse equally many FFNs and their perplexities compare where to fuse, not how
   * much (fusing fewer FFNs would always look better).
   */
  public static List<Plan> candidates(BlockMatrix m, List<PlanRegion> regions, Plan plan, int max) {
    Set<List<PlannedChain>> seen = new LinkedHashSet<>();
    seen.add(plan.chains());
    for (int shift : new int[] {-1, 1, -2, 2}) {
      for (int c = 0; c < plan.chains().size(); c++) {
        PlannedChain pc = plan.chains().get(c);
        PlanRegion region = regions.stream().filter(g -> g.first() <= pc.first() && pc.last() <= g.last())
            .findFirst().orElse(null);
        int f = pc.first() + shift;
        int l = pc.last() + shift;
        if (region == null || f < region.first() || l > region.last() || overlaps(plan, c, f, l)) {
          continue;
        }
        List<PlannedChain> alt = new ArrayList<>(plan.chains());
        alt.set(c, score(m, f, l));
        seen.add(List.copyOf(alt));
      }
    }
    return seen.stream().limit(max).map(l -> new Plan(l, plan.rule())).toList();
  }

  private static boolean overlaps(Plan plan, int except, int f, int l) {
    for (int k = 0; k < plan.chains().size(); k++) {
      PlannedChain o = plan.chains().get(k);
      if (k != except && f <= o.last() && o.first() <= l) {
        return true;
      }
    }
    return false;
  }
}

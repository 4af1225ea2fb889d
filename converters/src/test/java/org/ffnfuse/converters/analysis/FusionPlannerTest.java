package org.ffnfuse.converters.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Planner logic on hand-made matrices. */
class FusionPlannerTest {
  /** 10 blocks; attention gone in 3..8 (run 3..8, block 2 may start a chain). */
  static final List<Boolean> ATTN = List.of(true, true, true, false, false, false, false, false, false, true);
  static final List<Boolean> FFN = Collections.nCopies(10, true);

  /** M[i][j] = base for i < j, with chosen pairs overridden. */
  static BlockMatrix matrix(double base, double[]... overrides) {
    double[][] m = new double[10][10];
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 10; j++) {
        m[i][j] = i < j ? base : Double.NaN;
      }
    }
    for (double[] o : overrides) {
      m[(int) o[0]][(int) o[1]] = o[2];
    }
    return BlockMatrix.of(m);
  }

  static FusionPlanner.Options threshold(double t, boolean last) {
    return new FusionPlanner.Options(OptionalDouble.of(t), OptionalInt.empty(), last);
  }

  static FusionPlanner.Options fuse(int n, boolean last) {
    return new FusionPlanner.Options(OptionalDouble.empty(), OptionalInt.of(n), last);
  }

  static List<String> chains(FusionPlanner.Plan p) {
    List<String> out = new ArrayList<>();
    p.chains().forEach(c -> out.add(c.first() + "-" + c.last()));
    return out;
  }

  @Nested
  class Regions {
    @Test
    void regions_lastFfnLeftOut_byDefault() {
      assertEquals(List.of(new PlanRegion(2, 7, 3, 8)), FusionPlanner.regions(ATTN, FFN, false));
      assertEquals(List.of(new PlanRegion(2, 8, 3, 8)), FusionPlanner.regions(ATTN, FFN, true));
    }

    @Test
    void regions_noAttentionFreeRun_empty() {
      assertEquals(List.of(), FusionPlanner.regions(Collections.nCopies(4, true), Collections.nCopies(4, true),
          true));
    }

    @Test
    void regions_runAtStart_noBlockBefore() {
      List<Boolean> attn = List.of(false, false, false, true);
      assertEquals(List.of(new PlanRegion(0, 1, 0, 2)), FusionPlanner.regions(attn, Collections.nCopies(4, true),
          false));
    }
  }

  @Nested
  class Plans {
    @Test
    void plan_default_wholeRunWithoutLastFfn() {
      BlockMatrix m = matrix(0.05);
      FusionPlanner.Plan p = FusionPlanner.plan(m, FusionPlanner.regions(ATTN, FFN, false),
          FusionPlanner.Options.defaults());
      assertEquals(List.of("3-7"), chains(p));
      assertEquals(0.05, p.chains().get(0).maxDependency(), 1e-12);
      assertEquals(10 * 0.05, p.chains().get(0).sumDependency(), 1e-12, "5 FFNs: 10 pairs");
      FusionPlanner.Plan all = FusionPlanner.plan(m, FusionPlanner.regions(ATTN, FFN, true),
          new FusionPlanner.Options(OptionalDouble.empty(), OptionalInt.empty(), true));
      assertEquals(List.of("3-8"), chains(all), "--include-last");
    }

    @Test
    void plan_threshold_splitsAtAStrongDependency() {
      // FFN 6 depends strongly on FFN 5: no chain may hold both.
      BlockMatrix m = matrix(0.02, new double[] {5, 6, 0.5}, new double[] {2, 3, 0.3});
      FusionPlanner.Plan p = FusionPlanner.plan(m, FusionPlanner.regions(ATTN, FFN, false), threshold(0.1, false));
      assertEquals(List.of("3-5", "6-7"), chains(p), "block 2 kept out (M[2][3] 0.3), split between 5 and 6");
      p.chains().forEach(c -> assertTrue(c.maxDependency() <= 0.1));
    }

    @Test
    void plan_thresholdBelowEverything_nothing() {
      FusionPlanner.Plan p = FusionPlanner.plan(matrix(0.2), FusionPlanner.regions(ATTN, FFN, false),
          threshold(0.1, false));
      assertEquals(List.of(), chains(p));
    }

    @Test
    void plan_thresholdLoose_includesBlockBeforeRun() {
      FusionPlanner.Plan p = FusionPlanner.plan(matrix(0.02), FusionPlanner.regions(ATTN, FFN, false),
          threshold(0.1, false));
      assertEquals(List.of("2-7"), chains(p));
    }

    @Test
    void plan_targetN_fusesExactlyNCheapestFirst() {
      // Cheap pairs around 4..6, expensive elsewhere.
      BlockMatrix m = matrix(0.3, new double[] {4, 5, 0.01}, new double[] {4, 6, 0.01}, new double[] {5, 6, 0.02});
      FusionPlanner.Plan p = FusionPlanner.plan(m, FusionPlanner.regions(ATTN, FFN, false), fuse(3, false));
      assertEquals(List.of("4-6"), chains(p));
      assertEquals(3, p.fusedFfns());
      FusionPlanner.Plan p5 = FusionPlanner.plan(m, FusionPlanner.regions(ATTN, FFN, false), fuse(5, false));
      assertEquals(5, p5.fusedFfns());
    }

    @Test
    void plan_targetTooLarge_throwsNamingCapacity() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusionPlanner.plan(
          matrix(0.1), FusionPlanner.regions(ATTN, FFN, false), fuse(9, false)));
      assertTrue(e.getMessage().contains("only 6 FFNs"), e.getMessage());
    }

    @Test
    void options_thresholdAndTarget_refused() {
      assertThrows(IllegalArgumentException.class, () -> new FusionPlanner.Options(OptionalDouble.of(0.1),
          OptionalInt.of(3), false));
    }

    @Test
    void candidates_planFirstThenSameLengthShifts() {
      BlockMatrix m = matrix(0.05);
      List<PlanRegion> regions = FusionPlanner.regions(ATTN, FFN, false);
      FusionPlanner.Plan p = FusionPlanner.plan(m, regions, fuse(3, false));
      assertEquals(List.of("2-4"), chains(p), "all equal: the first cheapest merge");
      List<FusionPlanner.Plan> c = FusionPlanner.candidates(m, regions, p, 10);
      assertEquals(p.chains(), c.get(0).chains());
      assertEquals(List.of("2-4", "3-5", "4-6"), c.stream().map(x -> chains(x).get(0)).toList(),
          "region 2..7: no shift to 1-3 or 0-2");
      c.forEach(x -> assertEquals(3, x.fusedFfns(), "shifts keep the number of fused FFNs"));
      assertEquals(2, FusionPlanner.candidates(m, regions, p, 2).size(), "at most max");
    }
  }

  @Nested
  class Attention {
    static final java.util.SortedMap<Integer, Double> KL = new java.util.TreeMap<>(java.util.Map.of(0, 0.9, 1, 0.05,
        2, 0.3, 3, 0.06, 4, 0.07, 5, 0.02, 6, 0.5));

    @Test
    void leastImportant_picksSmallestKl() {
      assertEquals(java.util.Set.of(1, 5, 3), AttentionSelection.leastImportant(KL, 3));
    }

    @Test
    void contiguous_picksRunWithSmallestSum() {
      assertEquals(java.util.Set.of(3, 4, 5), AttentionSelection.contiguous(KL, 3), "0.15 beats 1,2,3 (0.41)");
      assertEquals(java.util.Set.of(0, 1, 2, 3, 4, 5, 6), AttentionSelection.contiguous(KL, 7));
    }

    @Test
    void contiguous_acrossBlocksWithoutAttention() {
      java.util.SortedMap<Integer, Double> kl = new java.util.TreeMap<>(java.util.Map.of(0, 1.0, 1, 0.1, 5, 0.1,
          6, 0.9));
      assertEquals(java.util.Set.of(1, 5), AttentionSelection.contiguous(kl, 2), "blocks 2..4 have no attention");
    }

    @Test
    void select_moreThanAvailable_throws() {
      assertThrows(IllegalArgumentException.class, () -> AttentionSelection.contiguous(KL, 8));
      assertThrows(IllegalArgumentException.class, () -> AttentionSelection.leastImportant(KL, 0));
    }
  }
}

package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LeastSquaresHealerTest {
  private static final int HIDDEN = 8;

  @Nested
  class ExactTarget {
    @Test
    void fit_targetFromKnownDown_recoversIt() {
      Random r = new Random(11);
      FusedBlockParameters truth = SyntheticChains.block(r, HIDDEN, List.of(12L, 12L));
      // The fused block starts from a wrong down projection; y was made by the true one.
      FusedBlockParameters start = truth.withDown(SyntheticChains.gaussian(r, HIDDEN * 24, 0.3));
      ChainSamples train = SyntheticChains.samplesOf(truth, r, 2000);
      ChainSamples held = SyntheticChains.samplesOf(truth, r, 300);

      // A weak ridge: the default grid (from 1e-3) pulls toward the wrong start on purpose, for real chains.
      LeastSquaresHealer.Options weak = new LeastSquaresHealer.Options(1L << 30, List.of(1e-9, 1e-7), false);
      LeastSquaresHealer.Result res = LeastSquaresHealer.fit(start, train, held, weak);

      assertTrue(res.heldOutBefore() > 0.1, "start is wrong: " + res.heldOutBefore());
      assertTrue(res.heldOutAfter() < 1e-4, "recovered exactly: " + res.heldOutAfter());
      float[] want = truth.down();
      float[] got = res.healed().down();
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 2e-3, "down[" + i + "]");
      }
      assertEquals(res.heldOutAfter(), res.healed().relativeError(held), 1e-9);
    }

    @Test
    void fit_scaledBranches_choosesScalesOrBetter() {
      Random r = new Random(5);
      FusedBlockParameters fused = SyntheticChains.block(r, HIDDEN, List.of(10L, 6L));
      float[] down = fused.down();
      for (int row = 0; row < HIDDEN; row++) {
        for (int j = 0; j < 16; j++) {
          down[row * 16 + j] *= j < 10 ? 0.5f : 1.5f;
        }
      }
      FusedBlockParameters truth = fused.withDown(down);
      LeastSquaresHealer.Result res = LeastSquaresHealer.fit(fused, SyntheticChains.samplesOf(truth, r, 1500),
          SyntheticChains.samplesOf(truth, r, 200), LeastSquaresHealer.Options.defaults());
      assertTrue(res.heldOutAfter() < 1e-4, res.heldOutAfter() + " " + res.choice());
    }
  }

  @Nested
  class SequentialChain {
    @Test
    void fit_sequentialTarget_reducesHeldOutErrorOfFusedBlock() {
      Random r = new Random(3);
      FusedBlockParameters fused = SyntheticChains.block(r, HIDDEN, List.of(16L, 16L, 16L));
      ChainSamples train = SyntheticChains.sequential(fused, r, 3000);
      ChainSamples held = SyntheticChains.sequential(fused, r, 500);

      LeastSquaresHealer.Result res = LeastSquaresHealer.fit(fused, train, held, LeastSquaresHealer.Options.defaults());

      assertEquals(fused.relativeError(held), res.heldOutBefore(), 1e-9);
      assertTrue(res.heldOutBefore() > 0.01, "the parallel form differs from the chain: " + res.heldOutBefore());
      assertTrue(res.heldOutAfter() < 0.7 * res.heldOutBefore(), res.heldOutBefore() + " → " + res.heldOutAfter());
      assertEquals(res.heldOutAfter(), res.healed().relativeError(held), 1e-9);
      assertTrue(java.util.Arrays.equals(fused.up(), res.healed().up()), "only down changes");
    }
  }

  @Nested
  class Refuses {
    @Test
    void fit_overBudget_throwsSayingHowMuchAndWhatToDo() {
      Random r = new Random(1);
      FusedBlockParameters f = SyntheticChains.block(r, HIDDEN, List.of(64L));
      ChainSamples s = SyntheticChains.samplesOf(f, r, 20);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LeastSquaresHealer.fit(f, s, s,
          LeastSquaresHealer.Options.defaults().withBudgetBytes(1000)));
      assertTrue(e.getMessage().contains("--method distill") && e.getMessage().contains("64 wide"), e.getMessage());
    }

    @Test
    void fit_hiddenMismatch_throws() {
      Random r = new Random(1);
      FusedBlockParameters f = SyntheticChains.block(r, HIDDEN, List.of(4L));
      ChainSamples s = ChainSamples.of(4, new float[8], new float[8]);
      assertThrows(IllegalArgumentException.class, () -> LeastSquaresHealer.fit(f, s, s,
          LeastSquaresHealer.Options.defaults()));
    }
  }
}

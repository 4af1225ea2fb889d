package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Validation and the with-methods of HealOptions and DistillationOptions, at the edges of each range. */
class HealOptionsTest {
  private static final LeastSquaresHealer.Options LSTSQ = LeastSquaresHealer.Options.defaults();
  private static final DistillationOptions DISTILL = DistillationOptions.defaults();

  @Test
  void healOptions_defaults() {
    HealOptions o = HealOptions.defaults(HealMethod.DISTILL);
    assertEquals(HealMethod.DISTILL, o.method());
    assertEquals(32_768, o.tokens());
    assertEquals(0.1, o.heldOutFraction());
    assertEquals(0, o.threads());
  }

  @Test
  void healOptions_edgesOfTheRanges() {
    assertEquals(16, new HealOptions(HealMethod.LSTSQ, 16, 0.49, 0, LSTSQ, DISTILL).tokens());
    assertThrows(IllegalArgumentException.class, () -> new HealOptions(HealMethod.LSTSQ, 15, 0.1, 0, LSTSQ, DISTILL));
    assertThrows(IllegalArgumentException.class, () -> new HealOptions(HealMethod.LSTSQ, 16, 0, 0, LSTSQ, DISTILL));
    assertThrows(IllegalArgumentException.class, () -> new HealOptions(HealMethod.LSTSQ, 16, 0.5, 0, LSTSQ, DISTILL));
    assertThrows(IllegalArgumentException.class, () -> new HealOptions(HealMethod.LSTSQ, 16, 0.1, -1, LSTSQ,
        DISTILL));
    assertThrows(NullPointerException.class, () -> new HealOptions(null, 16, 0.1, 0, LSTSQ, DISTILL));
    assertThrows(NullPointerException.class, () -> new HealOptions(HealMethod.LSTSQ, 16, 0.1, 0, null, DISTILL));
    assertThrows(NullPointerException.class, () -> new HealOptions(HealMethod.LSTSQ, 16, 0.1, 0, LSTSQ, null));
  }

  @Test
  void healOptions_withMethods_changeOneField() {
    HealOptions o = HealOptions.defaults(HealMethod.LSTSQ);
    DistillationOptions d = DISTILL.withSeed(7);
    HealOptions p = o.withTokens(100).withThreads(3).withDistill(d).withLstsq(LSTSQ);
    assertEquals(new HealOptions(HealMethod.LSTSQ, 100, 0.1, 3, LSTSQ, d), p);
  }

  @Test
  void distillationOptions_defaults() {
    assertEquals(new DistillationOptions(3e-4, 256, 8, 50, 4, 1234, 0), DISTILL);
  }

  @Test
  void distillationOptions_withMethods_changeOneField() {
    DistillationOptions o = DISTILL.withLearningRate(0.01).withMaxEpochs(2).withBatchSize(16).withSeed(9)
        .withThreads(2);
    assertEquals(new DistillationOptions(0.01, 16, 2, 50, 4, 9, 2), o);
  }

  @Test
  void distillationOptions_edgesOfTheRanges() {
    assertEquals(1, new DistillationOptions(1e-9, 1, 1, 1, 1, 0, 0).batchSize());
    assertThrows(IllegalArgumentException.class, () -> DISTILL.withLearningRate(0));
    assertThrows(IllegalArgumentException.class, () -> DISTILL.withLearningRate(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> DISTILL.withLearningRate(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> DISTILL.withBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> DISTILL.withMaxEpochs(0));
    assertThrows(IllegalArgumentException.class, () -> DISTILL.withThreads(-1));
    assertThrows(IllegalArgumentException.class, () -> new DistillationOptions(1e-3, 1, 1, 0, 1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new DistillationOptions(1e-3, 1, 1, 1, 0, 0, 0));
  }
}

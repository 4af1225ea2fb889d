package org.ffnfuse.converters.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link LogitComparison} on two-token vocabularies whose statistics are known in closed form. */
class LogitComparisonTest {
  private static final double LN2 = Math.log(2);
  private static final double LN3 = Math.log(3);

  /** Original logits (0, 0): p = (1/2, 1/2). Fused logits (0, ln 3): q = (1/4, 3/4). */
  private static final float[] HALF = {0f, 0f};
  private static final float[] QUARTER = {0f, (float) LN3};

  @Test
  void logSoftmax_twoAndOne_isClosedForm() {
    // log softmax(ln 2, 0) = (ln(2/3), ln(1/3)).
    double[] l = LogitComparison.logSoftmax(new float[] {(float) LN2, 0f});
    assertArrayEquals(new double[] {Math.log(2.0 / 3), Math.log(1.0 / 3)}, l, 1e-7);
  }

  @Test
  void logSoftmax_hugeLogits_subtractsTheMaximum() {
    double[] l = LogitComparison.logSoftmax(new float[] {1000f, 1000f, 999f});
    double lse = Math.log(2 + Math.exp(-1)); // relative to 1000
    assertArrayEquals(new double[] {-lse, -lse, -1 - lse}, l, 1e-12);
  }

  @Test
  void add_oneWindow_perplexityKlAndErrorsAreClosedForm() {
    LogitComparison c = new LogitComparison();
    // Window of 3 ids: positions 0 and 1 predict ids 1 and 0; position 2 predicts nothing but its logits count.
    long[] ids = {0, 1, 0};
    float[][] a = {HALF, HALF, {5f, 0f}};
    float[][] b = {QUARTER, QUARTER, {5f, 2f}};
    c.add(0, ids, a, b);

    assertEquals(2, c.predictions());
    // Original: -ln(1/2) twice. Fused: -ln(3/4) then -ln(1/4).
    assertEquals(2, c.perplexityOriginal(), 1e-9);
    assertEquals(Math.exp((Math.log(4.0 / 3) + Math.log(4)) / 2), c.perplexityFused(), 1e-6);
    // KL(p||q) = 1/2 ln(2) + 1/2 ln(2/3) at both positions.
    assertEquals(0.5 * LN2 + 0.5 * Math.log(2.0 / 3), c.meanKl(), 1e-7);
    // Ties in the original pick token 0; the fused model prefers token 1.
    assertEquals(0, c.top1(), 0);
    // |Δ| = ln 3 at positions 0 and 1 (second entry), 2 at position 2: max 2, mean (2 ln 3 + 2) / 6.
    assertEquals(2, c.maxAbs(), 1e-6);
    assertEquals((2 * LN3 + 2) / 6, c.meanAbs(), 1e-6);
  }

  @Test
  void add_identicalLogits_klZeroTopOneFullAgreement() {
    LogitComparison c = new LogitComparison();
    float[][] a = {{1f, 3f, 2f}, {4f, 0f, 1f}};
    c.add(0, new long[] {2, 1}, a, a);
    assertEquals(1, c.predictions());
    assertEquals(0, c.meanKl(), 1e-12);
    assertEquals(1, c.top1(), 0);
    assertEquals(0, c.maxAbs(), 0);
    assertEquals(0, c.meanAbs(), 0);
    // Position 0 predicts id 1 with logits (1, 3, 2): p = e^3 / (e + e^3 + e^2).
    double p = Math.exp(3) / (Math.exp(1) + Math.exp(3) + Math.exp(2));
    assertEquals(1 / p, c.perplexityOriginal(), 1e-6);
    assertEquals(1 / p, c.perplexityFused(), 1e-6);
  }

  @Test
  void add_argmaxAfterTheFirstEntry_countsAgreementPerPosition() {
    LogitComparison c = new LogitComparison();
    // Position 0: both pick token 2. Position 1: original picks 1, fused picks 2.
    float[][] a = {{0f, 1f, 3f}, {0f, 3f, 1f}, {0f, 0f, 0f}};
    float[][] b = {{0f, 2f, 4f}, {0f, 1f, 3f}, {0f, 0f, 0f}};
    c.add(0, new long[] {0, 2, 1}, a, b);
    assertEquals(0.5, c.top1(), 0);
  }

  @Test
  void add_twoWindows_averagesOverAllPredictions() {
    LogitComparison c = new LogitComparison();
    c.add(0, new long[] {0, 1}, new float[][] {HALF, HALF}, new float[][] {HALF, HALF});
    c.add(1, new long[] {0, 0}, new float[][] {HALF, HALF}, new float[][] {QUARTER, QUARTER});
    assertEquals(2, c.predictions());
    // KL is 0 in the first window and 1/2 ln 2 + 1/2 ln(2/3) in the second.
    assertEquals((0.5 * LN2 + 0.5 * Math.log(2.0 / 3)) / 2, c.meanKl(), 1e-7);
    // Fused NLL: ln 2 then -ln(1/4).
    assertEquals(Math.exp((LN2 + Math.log(4)) / 2), c.perplexityFused(), 1e-6);
    assertEquals(0.5, c.top1(), 0); // the first window agrees, the second does not
    assertEquals(LN3, c.maxAbs(), 1e-6);
    assertEquals(2 * LN3 / 8, c.meanAbs(), 1e-6);
  }
}

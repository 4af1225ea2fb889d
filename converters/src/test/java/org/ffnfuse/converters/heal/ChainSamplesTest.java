package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class ChainSamplesTest {
  // Three tokens of hidden 2.
  private static final float[] X = {1, 2, 3, 4, 5, 6};
  private static final float[] Y = {1, 3, 5, 4, 5, 10};

  static float[] floats(FloatBuffer b) {
    float[] v = new float[b.remaining()];
    b.get(v);
    return v;
  }

  @Test
  void of_copiesAndCountsTokens() {
    float[] x = X.clone();
    ChainSamples s = ChainSamples.of(2, x, Y);
    x[0] = 99;
    assertEquals(3, s.count());
    assertEquals(2, s.hidden());
    assertArrayEquals(X, floats(s.x()));
    assertArrayEquals(Y, floats(s.y()));
  }

  @Test
  void of_mismatchedOrPartialTokens_throws() {
    assertThrows(IllegalArgumentException.class, () -> ChainSamples.of(2, X, new float[4]));
    assertThrows(IllegalArgumentException.class, () -> ChainSamples.of(4, X, Y));
    assertThrows(IllegalArgumentException.class, () -> ChainSamples.of(0, X, Y));
  }

  @Test
  void contributionEnergy_sumOfSquaredDifferences() {
    // y − x = (0, 1, 2, 0, 0, 4): 1 + 4 + 16.
    assertEquals(21, ChainSamples.of(2, X, Y).contributionEnergy(), 0);
  }

  @Test
  void slice_middleToken_copiesItsVectors() {
    ChainSamples s = ChainSamples.of(2, X, Y).slice(1, 3);
    assertEquals(2, s.count());
    assertArrayEquals(new float[] {3, 4, 5, 6}, floats(s.x()));
    assertArrayEquals(new float[] {5, 4, 5, 10}, floats(s.y()));
    assertEquals(20, s.contributionEnergy(), 0);
    assertThrows(IndexOutOfBoundsException.class, () -> ChainSamples.of(2, X, Y).slice(2, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> ChainSamples.of(2, X, Y).slice(2, 1));
  }

  @Test
  void wrap_longerArrays_seesOnlyCountTokens() {
    ChainSamples s = ChainSamples.wrap(2, 2, X, Y);
    assertArrayEquals(new float[] {1, 2, 3, 4}, floats(s.x()));
    assertArrayEquals(new float[] {1, 3, 5, 4}, floats(s.y()));
    assertEquals(5, s.contributionEnergy(), 0);
    assertThrows(IllegalArgumentException.class, () -> ChainSamples.wrap(2, 4, X, Y));
    assertThrows(IllegalArgumentException.class, () -> ChainSamples.wrap(2, 3, X, new float[4]));
  }

  @Test
  void buffers_areReadOnly() {
    ChainSamples s = ChainSamples.of(2, X, Y);
    assertThrows(ReadOnlyBufferException.class, () -> s.x().put(0, 1f));
    assertThrows(ReadOnlyBufferException.class, () -> s.y().put(0, 1f));
  }

  @Test
  void toString_namesTokensAndHidden() {
    String t = ChainSamples.of(2, X, Y).toString();
    assertTrue(t.contains("3 tokens") && t.contains("hidden 2"), t);
  }
}

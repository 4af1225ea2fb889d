package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cholesky at its edges: short arrays, zero or infinite pivots, Gram rows wider than one column block, many RHS. */
class CholeskyEdgeTest {
  @Test
  void shortArrays_throw() {
    assertThrows(IllegalArgumentException.class, () -> Cholesky.accumulateGram(new double[8], 3, new double[3], 1));
    assertThrows(IllegalArgumentException.class, () -> Cholesky.accumulateGram(new double[9], 3, new double[5], 2));
    assertThrows(IllegalArgumentException.class, () -> Cholesky.factor(new double[3], 2));
    assertThrows(IllegalArgumentException.class, () -> Cholesky.solve(new double[] {1}, 1, new double[1], 2));
  }

  @Test
  void factor_zeroOrNonFinitePivot_throws() {
    assertThrows(ArithmeticException.class, () -> Cholesky.factor(new double[] {0}, 1));
    assertThrows(ArithmeticException.class, () -> Cholesky.factor(new double[] {Double.POSITIVE_INFINITY}, 1));
    assertThrows(ArithmeticException.class, () -> Cholesky.factor(new double[] {Double.NaN}, 1));
    // [[1, 1], [1, 1]] is singular: the second pivot is exactly 0.
    assertThrows(ArithmeticException.class, () -> Cholesky.factor(new double[] {1, 0, 1, 1}, 2));
  }

  @Test
  void accumulateGram_widerThanOneColumnBlock_equalsNaiveLowerTriangle() {
    int n = 600; // more than the 512 columns of one block
    int rows = 5;
    Random r = new Random(3);
    double[] a = new double[rows * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextGaussian();
    }
    double[] g = new double[n * n];
    Cholesky.accumulateGram(g, n, a, rows);
    for (int i = 0; i < n; i += 7) {
      for (int j = 0; j <= i; j++) {
        double s = 0;
        for (int t = 0; t < rows; t++) {
          s += a[t * n + i] * a[t * n + j];
        }
        assertEquals(s, g[i * n + j], 1e-9 * (1 + Math.abs(s)), "G[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void solve_moreThanOneColumnChunk_everyColumnSolvedOnce() {
    // L = diag(2, 4): L·Lᵀ = diag(4, 16); column c of B = (4c, 16c) gives x = (c, c).
    int cols = 70;
    double[] l = {4, 0, 0, 16};
    Cholesky.factor(l, 2);
    double[] b = new double[2 * cols];
    for (int c = 0; c < cols; c++) {
      b[c] = 4 * c;
      b[cols + c] = 16 * c;
    }
    Cholesky.solve(l, 2, b, cols);
    for (int c = 0; c < cols; c++) {
      assertEquals(c, b[c], 1e-12, "x0 col " + c);
      assertEquals(c, b[cols + c], 1e-12, "x1 col " + c);
    }
  }
}

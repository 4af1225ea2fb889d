package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CholeskyTest {
  /** {@code rows × n} Gaussian values. */
  private static double[] random(Random r, int rows, int n) {
    double[] a = new double[rows * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextGaussian();
    }
    return a;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 64, 65, 150})
  void accumulateGram_anySize_equalsNaiveLowerTriangle(int n) {
    Random r = new Random(n);
    int rows = 37;
    double[] a = random(r, rows, n);
    double[] g = new double[n * n];
    Cholesky.accumulateGram(g, n, a, 20);
    double[] rest = new double[(rows - 20) * n];
    System.arraycopy(a, 20 * n, rest, 0, rest.length);
    Cholesky.accumulateGram(g, n, rest, rows - 20);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0;
        for (int t = 0; t < rows; t++) {
          s += a[t * n + i] * a[t * n + j];
        }
        assertEquals(s, g[i * n + j], 1e-9 * (1 + Math.abs(s)), "G[" + i + "][" + j + "]");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 64, 130, 200})
  void factorSolve_spdSystem_recoversSolution(int n) {
    Random r = new Random(7 + n);
    double[] a = random(r, n + 10, n);
    double[] g = new double[n * n];
    Cholesky.accumulateGram(g, n, a, n + 10);
    for (int i = 0; i < n; i++) {
      g[i * n + i] += 0.1;
    }
    int cols = 3;
    double[] x = random(r, n, cols);
    double[] b = new double[n * cols];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < cols; c++) {
        double s = 0;
        for (int j = 0; j < n; j++) {
          double gij = j <= i ? g[i * n + j] : g[j * n + i];
          s += gij * x[j * cols + c];
        }
        b[i * cols + c] = s;
      }
    }
    double[] l = g.clone();
    Cholesky.factor(l, n);
    Cholesky.solve(l, n, b, cols);
    for (int i = 0; i < b.length; i++) {
      assertEquals(x[i], b[i], 1e-7, "x[" + i + "]");
    }
  }

  @Test
  void factor_indefiniteMatrix_throwsNamingPivot() {
    double[] m = {1, 0, 2, 1}; // [[1, 2], [2, 1]] has eigenvalues 3 and −1
    ArithmeticException e = assertThrows(ArithmeticException.class, () -> Cholesky.factor(m, 2));
    assertTrue(e.getMessage().contains("pivot 1"), e.getMessage());
  }
}

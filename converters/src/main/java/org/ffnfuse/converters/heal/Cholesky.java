package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.stream.IntStream;

/**
 * Dense symmetric positive definite algebra in double for the normal equations of the least-squares fit: Gram
 * accumulation {@code G += AᵀA}, Cholesky factorization {@code G = LLᵀ} and solves with many right-hand sides.
 * Matrices are {@code n × n}, row-major in one {@code double[]} (so {@code n² · 8} bytes, at most 2³¹ − 1 elements);
 * only the lower triangle is read or written. The loops are blocked so that every inner loop is a contiguous
 * multiply-add (vectorized by the JIT), and the independent rows of each step run on the common fork-join pool.
 *
 * <p>No linear-algebra library is on the project's dependency list outside TensorFlow, hence this small one. The
 * factorization is the right-looking blocked algorithm (Golub and Van Loan, Matrix Computations, §4.2): factor a
 * diagonal block, solve the panel below it, update the trailing matrix.
 */
final class Cholesky {
  private static final int BLOCK = 64;
  private static final int ROWS = 32;
  private static final int COLS = 512;

  private Cholesky() {}

  /** Largest {@code n} whose {@code n × n} matrix fits one Java array. */
  static final int MAX_N = 46_340;

  /**
   * Adds {@code AᵀA} to the lower triangle of {@code g} ({@code n × n}), for {@code A} = {@code rows} rows of
   * {@code n} values in {@code a}, row-major.
   */
  static void accumulateGram(double[] g, int n, double[] a, int rows) {
    checkArgument(g.length >= (long) n * n && a.length >= (long) rows * n, "array sizes");
    int blocks = (n + ROWS - 1) / ROWS;
    // Largest blocks first, so the last tasks are the short ones.
    IntStream.range(0, blocks).map(b -> blocks - 1 - b).parallel().forEach(b -> {
      int i0 = b * ROWS;
      int i1 = Math.min(n, i0 + ROWS);
      for (int j0 = 0; j0 < i1; j0 += COLS) {
        int j1 = Math.min(i1, j0 + COLS);
        int t = 0;
        // Four tokens per sweep: each row segment of g is loaded and stored once per four updates.
        for (; t + 4 <= rows; t += 4) {
          int o0 = t * n;
          int o1 = o0 + n;
          int o2 = o1 + n;
          int o3 = o2 + n;
          for (int i = i0; i < i1; i++) {
            double a0 = a[o0 + i];
            double a1 = a[o1 + i];
            double a2 = a[o2 + i];
            double a3 = a[o3 + i];
            int go = i * n;
            int end = Math.min(j1, i + 1);
            for (int j = j0; j < end; j++) { // explicit fma: Java may not contract a*b+c itself
              g[go + j] = Math.fma(a3, a[o3 + j], Math.fma(a2, a[o2 + j], Math.fma(a1, a[o1 + j],
                  Math.fma(a0, a[o0 + j], g[go + j]))));
            }
          }
        }
        for (; t < rows; t++) {
          int ao = t * n;
          for (int i = i0; i < i1; i++) {
            double ai = a[ao + i];
            int go = i * n;
            int end = Math.min(j1, i + 1);
            for (int j = j0; j < end; j++) {
              g[go + j] += ai * a[ao + j];
            }
          }
        }
      }
    });
  }

  /**
   * Factors the lower triangle of {@code m} ({@code n × n}) in place into {@code L} with {@code LLᵀ = m}.
   *
   * @throws ArithmeticException if the matrix is not (numerically) positive definite, naming the pivot
   */
  static void factor(double[] m, int n) {
    checkArgument(m.length >= (long) n * n, "array size");
    double[] panelT = new double[BLOCK * n];
    for (int k0 = 0; k0 < n; k0 += BLOCK) {
      int k1 = Math.min(n, k0 + BLOCK);
      // 1. The diagonal block, unblocked.
      for (int k = k0; k < k1; k++) {
        double d = m[k * n + k];
        if (!(d > 0) || !Double.isFinite(d)) {
          throw new ArithmeticException("matrix is not positive definite at pivot " + k + " (value " + d + ")");
        }
        d = Math.sqrt(d);
        m[k * n + k] = d;
        for (int i = k + 1; i < k1; i++) {
          m[i * n + k] /= d;
        }
        for (int i = k + 1; i < k1; i++) {
          double lik = m[i * n + k];
          for (int j = k + 1; j <= i; j++) {
            m[i * n + j] -= lik * m[j * n + k];
          }
        }
      }
      if (k1 == n) {
        break;
      }
      // 2. The panel below it: L21 = A21 · L11⁻ᵀ, row by row.
      final int kb = k0;
      final int ke = k1;
      IntStream.range(ke, n).parallel().forEach(i -> {
        int io = i * n;
        for (int k = kb; k < ke; k++) {
          double s = m[io + k];
          int ko = k * n;
          for (int q = kb; q < k; q++) {
            s -= m[io + q] * m[ko + q];
          }
          m[io + k] = s / m[ko + k];
        }
      });
      // 3. Trailing update A22 -= L21 · L21ᵀ, with the panel transposed so the inner loop runs along a row.
      for (int k = kb; k < ke; k++) {
        int po = (k - kb) * n;
        for (int j = ke; j < n; j++) {
          panelT[po + j] = m[j * n + k];
        }
      }
      int rows = n - ke;
      int tasks = (rows + ROWS - 1) / ROWS;
      IntStream.range(0, tasks).map(b -> tasks - 1 - b).parallel().forEach(b -> {
        int i0 = ke + b * ROWS;
        int i1 = Math.min(n, i0 + ROWS);
        for (int i = i0; i < i1; i++) {
          int io = i * n;
          int k = kb;
          for (; k + 4 <= ke; k += 4) { // four panel columns per sweep of the row
            double l0 = m[io + k];
            double l1 = m[io + k + 1];
            double l2 = m[io + k + 2];
            double l3 = m[io + k + 3];
            int p0 = (k - kb) * n;
            int p1 = p0 + n;
            int p2 = p1 + n;
            int p3 = p2 + n;
            for (int j = ke; j <= i; j++) {
              m[io + j] = Math.fma(-l3, panelT[p3 + j], Math.fma(-l2, panelT[p2 + j], Math.fma(-l1, panelT[p1 + j],
                  Math.fma(-l0, panelT[p0 + j], m[io + j]))));
            }
          }
          for (; k < ke; k++) {
            double lik = m[io + k];
            int po = (k - kb) * n;
            for (int j = ke; j <= i; j++) {
              m[io + j] -= lik * panelT[po + j];
            }
          }
        }
      });
    }
  }

  /**
   * Solves {@code LLᵀ X = B} in place for {@code B} {@code n × cols} (row-major), {@code L} from {@link #factor}.
   * Column blocks of {@code B} are independent and run in parallel.
   */
  static void solve(double[] l, int n, double[] b, int cols) {
    checkArgument(b.length >= (long) n * cols, "right-hand side size");
    int chunk = 64;
    int tasks = (cols + chunk - 1) / chunk;
    IntStream.range(0, tasks).parallel().forEach(task -> solveColumns(l, n, b, cols, task * chunk,
        Math.min(cols, (task + 1) * chunk)));
  }

  private static void solveColumns(double[] l, int n, double[] b, int cols, int c0, int c1) {
    // Forward: L Z = B.
    for (int i = 0; i < n; i++) {
      int io = i * n;
      int bo = i * cols;
      for (int k = 0; k < i; k++) {
        double lik = l[io + k];
        if (lik == 0) {
          continue;
        }
        int ko = k * cols;
        for (int c = c0; c < c1; c++) {
          b[bo + c] = Math.fma(-lik, b[ko + c], b[bo + c]);
        }
      }
      double d = l[io + i];
      for (int c = c0; c < c1; c++) {
        b[bo + c] /= d;
      }
    }
    // Backward: Lᵀ X = Z, sweeping row i of L once its x_i is known.
    for (int i = n - 1; i >= 0; i--) {
      int io = i * n;
      int bo = i * cols;
      double d = l[io + i];
      for (int c = c0; c < c1; c++) {
        b[bo + c] /= d;
      }
      for (int k = 0; k < i; k++) {
        double lik = l[io + k];
        if (lik == 0) {
          continue;
        }
        int ko = k * cols;
        for (int c = c0; c < c1; c++) {
          b[ko + c] = Math.fma(-lik, b[bo + c], b[ko + c]);
        }
      }
    }
  }
}

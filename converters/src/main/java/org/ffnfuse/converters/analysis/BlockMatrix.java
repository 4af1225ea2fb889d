package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An immutable {@code n×n} matrix over blocks, {@code NaN} where undefined (the diagonal and below it for dependency
 * matrices, rows of blocks that lack the branch).
 */
public final class BlockMatrix {
  private final int n;
  private final double[] values;

  private BlockMatrix(int n, double[] values) {
    this.n = n;
    this.values = values;
  }

  /** A copy of {@code rows} (square). */
  public static BlockMatrix of(double[][] rows) {
    int n = rows.length;
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      checkArgument(rows[i].length == n, "row %s has %s values, expected %s", i, rows[i].length, n);
      System.arraycopy(rows[i], 0, v, i * n, n);
    }
    return new BlockMatrix(n, v);
  }

  /** A matrix from JSON-style rows ({@code null} = undefined). */
  public static BlockMatrix ofRows(List<List<Double>> rows) {
    double[][] a = new double[rows.size()][];
    for (int i = 0; i < a.length; i++) {
      List<Double> r = rows.get(i);
      a[i] = new double[r.size()];
      for (int j = 0; j < a[i].length; j++) {
        a[i][j] = r.get(j) == null ? Double.NaN : r.get(j);
      }
    }
    return of(a);
  }

  /** Number of blocks. */
  public int size() {
    return n;
  }

  /** Entry {@code [i][j]}, {@code NaN} when undefined. */
  public double get(int i, int j) {
    checkArgument(i >= 0 && i < n && j >= 0 && j < n, "[%s][%s] outside %s×%s", i, j, n, n);
    return values[i * n + j];
  }

  /** Whether {@code [i][j]} is defined. */
  public boolean defined(int i, int j) {
    return !Double.isNaN(get(i, j));
  }

  /** Rows as lists, {@code null} where undefined (JSON has no NaN). */
  public List<List<Double>> rows() {
    List<List<Double>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Double> r = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        double x = values[i * n + j];
        r.add(Double.isNaN(x) ? null : x);
      }
      out.add(Collections.unmodifiableList(r));
    }
    return Collections.unmodifiableList(out);
  }

  /** The largest defined entry {@code [i][j]} with {@code first ≤ i < j ≤ last}; 0 if none is defined. */
  public double maxWithin(int first, int last) {
    double m = 0;
    for (int i = first; i <= last; i++) {
      for (int j = i + 1; j <= last; j++) {
        if (defined(i, j)) {
          m = Math.max(m, get(i, j));
        }
      }
    }
    return m;
  }

  /** The sum of defined entries {@code [i][j]} with {@code first ≤ i < j ≤ last}. */
  public double sumWithin(int first, int last) {
    double s = 0;
    for (int i = first; i <= last; i++) {
      for (int j = i + 1; j <= last; j++) {
        if (defined(i, j)) {
          s += get(i, j);
        }
      }
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockMatrix m && m.n == n && java.util.Arrays.equals(m.values, values);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("     ");
    for (int j = 0; j < n; j++) {
      sb.append(String.format(java.util.Locale.ROOT, "%7d", j));
    }
    sb.append('\n');
    for (int i = 0; i < n; i++) {
      sb.append(String.format(java.util.Locale.ROOT, "%4d ", i));
      for (int j = 0; j < n; j++) {
        double x = values[i * n + j];
        sb.append(Double.isNaN(x) ? "      ·" : String.format(java.util.Locale.ROOT, "%7.4f", x));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}

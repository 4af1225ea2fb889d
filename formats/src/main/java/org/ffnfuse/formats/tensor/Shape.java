package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** An immutable tensor shape; every dimension is ≥ 0. A rank-0 shape is a scalar with one element. */
public final class Shape {
  private final long[] dims;

  private Shape(long[] dims) {
    this.dims = dims;
  }

  /** A shape with these dimensions. */
  public static Shape of(long... dims) {
    for (long d : dims) {
      checkArgument(d >= 0, "negative dimension in %s", Arrays.toString(dims));
    }
    return new Shape(dims.clone());
  }

  /** A shape with these dimensions. */
  public static Shape copyOf(List<? extends Number> dims) {
    return of(dims.stream().mapToLong(Number::longValue).toArray());
  }

  public int rank() {
    return dims.length;
  }

  /** Dimension {@code i}; negative {@code i} counts from the end. */
  public long dim(int i) {
    int k = i < 0 ? dims.length + i : i;
    checkArgument(k >= 0 && k < dims.length, "dimension %s of rank-%s shape", i, dims.length);
    return dims[k];
  }

  /** A copy of the dimensions. */
  public long[] toArray() {
    return dims.clone();
  }

  public List<Long> toList() {
    return Arrays.stream(dims).boxed().collect(Collectors.toUnmodifiableList());
  }

  /** The number of elements, or {@link ArithmeticException} on overflow. */
  public long elementCount() {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [512, 64]}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}

package org.ffnfuse.formats.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Lazy tensor arithmetic for streaming writers: dtype conversion, 2-D transpose, and concatenation of 2-D float
 * tensors with optional per-column or per-row scales (how norm gains fold into FFN weights). Results are
 * {@link RowBlockTensor}s: computed block by block in fp32 when written, rounded once to the output dtype. The transpose
 * of a concatenation is rewritten as a concatenation of transposes, so that it streams its sources once.
 */
public final class Tensors {
  private Tensors() {}

  /** {@code src} converted to float type {@code to} (identity values, one rounding). */
  public static Tensor converted(Tensor src, DType to) {
    if (src.dtype() == to) {
      return src;
    }
    checkArgument(src.dtype().convertsToFloat(), "cannot convert %s to %s", src.dtype(), to);
    return new RowBlockTensor(to, src.shape()) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        readFloats(src, firstRow * cols(), n * cols(), out, 0, scratch(src, (long) n * cols()));
      }
    };
  }

  /** The transpose {@code [C, R]} of a 2-D tensor {@code [R, C]}, in dtype {@code to}. */
  public static Tensor transposed(Tensor src, DType to) {
    checkArgument(src.shape().rank() == 2, "transpose needs a 2-D tensor, got %s", src.shape());
    long r = src.shape().dim(0);
    long c = src.shape().dim(1);
    checkArgument(src.dtype().convertsToFloat(), "cannot transpose %s as float", src.dtype());
    if (src instanceof Transposable t) {
      // Re-reading a computed tensor column-wise would recompute all of it once per output block.
      return t.transpose(to);
    }
    // Large blocks: each block reads one segment of every input row, so its width sets the size of those reads.
    return new RowBlockTensor(to, Shape.of(c, r), TRANSPOSE_BLOCK_BYTES) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        // Output rows [firstRow, firstRow+n) are input columns: read each input row's slice once, TILE input rows
        // at a time, and transpose the tile so that writes to out run along its rows instead of striding down them.
        int rr = cols();
        ByteBuffer buf = scratch(src, n);
        float[] tile = new float[TILE * n];
        for (int i0 = 0; i0 < rr; i0 += TILE) {
          int t = Math.min(TILE, rr - i0);
          for (int k = 0; k < t; k++) {
            readFloats(src, (i0 + k) * c + firstRow, n, tile, k * n, buf);
          }
          for (int j = 0; j < n; j++) {
            int o = j * rr + i0;
            for (int k = 0; k < t; k++) {
              out[o + k] = tile[k * n + j];
            }
          }
        }
      }
    };
  }

  /**
   * Stacks 2-D parts {@code [R_k, C]} into {@code [ΣR_k, C]}; part k's columns are multiplied by
   * {@code columnScales.get(k)} when present (length C).
   */
  public static Tensor concatRows(DType to, List<Tensor> parts, List<Optional<float[]>> columnScales) {
    List<Tensor> ps = ImmutableList.copyOf(parts);
    checkArgument(!ps.isEmpty() && ps.size() == columnScales.size(), "%s parts, %s scales", ps.size(),
        columnScales.size());
    long c = ps.get(0).shape().dim(-1);
    long[] starts = new long[ps.size() + 1];
    for (int k = 0; k < ps.size(); k++) {
      Shape s = ps.get(k).shape();
      checkArgument(s.rank() == 2 && s.dim(1) == c, "part %s has shape %s, expected [*, %s]", k, s, c);
      columnScales.get(k).ifPresent(v -> checkArgument(v.length == c, "scale of length %s for %s columns",
          v.length, c));
      starts[k + 1] = starts[k] + s.dim(0);
    }
    List<Optional<float[]>> scales = List.copyOf(columnScales);
    return new Transposable(to, Shape.of(starts[ps.size()], c)) {
      /** Column k scales of the rows become row scales of the transposed parts, side by side. */
      @Override
      Tensor transpose(DType out) {
        return concatColumns(out, ps.stream().map(p -> transposed(p, DType.F32)).toList(), scales);
      }

      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        int cc = cols();
        int done = 0;
        while (done < n) {
          long row = firstRow + done;
          int k = part(starts, row);
          int m = (int) Math.min(n - done, starts[k + 1] - row);
          Tensor p = ps.get(k);
          readFloats(p, (row - starts[k]) * cc, m * cc, out, done * cc, scratch(p, (long) m * cc));
          Optional<float[]> sc = scales.get(k);
          if (sc.isPresent()) {
            float[] s = sc.get();
            for (int i = 0; i < m; i++) {
              int base = (done + i) * cc;
              for (int j = 0; j < cc; j++) {
                out[base + j] *= s[j];
              }
            }
          }
          done += m;
        }
      }
    };
  }

  /**
   * Places 2-D parts {@code [R, C_k]} side by side into {@code [R, ΣC_k]}; part k's rows are multiplied by
   * {@code rowScales.get(k)} when present (length R).
   */
  public static Tensor concatColumns(DType to, List<Tensor> parts, List<Optional<float[]>> rowScales) {
    List<Tensor> ps = ImmutableList.copyOf(parts);
    checkArgument(!ps.isEmpty() && ps.size() == rowScales.size(), "%s parts, %s scales", ps.size(),
        rowScales.size());
    long r = ps.get(0).shape().dim(0);
    int[] widths = new int[ps.size()];
    long total = 0;
    for (int k = 0; k < ps.size(); k++) {
      Shape s = ps.get(k).shape();
      checkArgument(s.rank() == 2 && s.dim(0) == r, "part %s has shape %s, expected [%s, *]", k, s, r);
      rowScales.get(k).ifPresent(v -> checkArgument(v.length == r, "scale of length %s for %s rows", v.length, r));
      widths[k] = Math.toIntExact(s.dim(1));
      total += widths[k];
    }
    int maxWidth = java.util.Arrays.stream(widths).max().orElse(0);
    List<Optional<float[]>> scales = List.copyOf(rowScales);
    return new Transposable(to, Shape.of(r, total)) {
      /** Row scales of the columns become column scales of the transposed parts, stacked. */
      @Override
      Tensor transpose(DType out) {
        return concatRows(out, ps.stream().map(p -> transposed(p, DType.F32)).toList(), scales);
      }

      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        int cc = cols();
        int col = 0;
        float[] v = new float[n * maxWidth];
        for (int k = 0; k < ps.size(); k++) {
          int w = widths[k];
          Tensor p = ps.get(k);
          readFloats(p, firstRow * w, n * w, v, 0, scratch(p, (long) n * w));
          Optional<float[]> sc = scales.get(k);
          for (int i = 0; i < n; i++) {
            float s = sc.isPresent() ? sc.get()[(int) (firstRow + i)] : 1f;
            int o = i * cc + col;
            int from = i * w;
            if (s == 1f) {
              System.arraycopy(v, from, out, o, w);
            } else {
              for (int j = 0; j < w; j++) {
                out[o + j] = v[from + j] * s;
              }
            }
          }
          col += w;
        }
      }
    };
  }

  /** The element-wise sum of same-shaped float tensors, in dtype {@code to} (summed in fp32). */
  public static Tensor sum(DType to, List<Tensor> parts) {
    List<Tensor> ps = ImmutableList.copyOf(parts);
    checkArgument(!ps.isEmpty(), "nothing to sum");
    Shape shape = ps.get(0).shape();
    for (Tensor t : ps) {
      checkArgument(t.shape().equals(shape), "shape %s differs from %s", t.shape(), shape);
    }
    return new RowBlockTensor(to, shape) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        java.util.Arrays.fill(out, 0, n * cols(), 0f);
        float[] v = new float[n * cols()];
        for (Tensor t : ps) {
          readFloats(t, firstRow * cols(), n * cols(), v, 0, scratch(t, (long) n * cols()));
          for (int i = 0; i < v.length; i++) {
            out[i] += v[i];
          }
        }
      }
    };
  }

  /**
   * {@code t} with its values clamped to ±{@value FloatCodec#FP16_MAX} before they are rounded to fp16, if it is
   * computed into fp16 (a conversion, transpose, concatenation…); any other tensor as it is (stored fp16 values are
   * finite or infinite already). Infinities and NaN stay as they are: only finite values are clamped.
   */
  public static Tensor clampedToFp16(Tensor t) {
    if (t.dtype() != DType.F16 || !(t instanceof RowBlockTensor r)) {
      return t;
    }
    return new RowBlockTensor(DType.F16, t.shape(), r.blockBytes()) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        r.computeRows(firstRow, n, out);
        for (int i = 0; i < n * cols(); i++) {
          if (Float.isFinite(out[i])) {
            out[i] = Math.max(-FloatCodec.FP16_MAX, Math.min(FloatCodec.FP16_MAX, out[i]));
          }
        }
      }
    };
  }

  /** A tensor of zeros (computed on read; costs no memory). */
  public static Tensor zeros(DType to, Shape shape) {
    return new Transposable(to, shape) {
      @Override
      Tensor transpose(DType out) {
        return zeros(out, Shape.of(shape.dim(1), shape.dim(0)));
      }

      @Override
      protected void computeRows(long firstRow, int n, float[] out) {
        java.util.Arrays.fill(out, 0, n * cols(), 0f);
      }
    };
  }

  /** Rows {@code [from, to)} of a 2-D tensor, as float type {@code dtype}. */
  public static Tensor sliceRows(Tensor src, long from, long to, DType dtype) {
    checkArgument(src.shape().rank() == 2 && 0 <= from && from <= to && to <= src.shape().dim(0),
        "rows [%s, %s) of %s", from, to, src.shape());
    long c = src.shape().dim(1);
    return new RowBlockTensor(dtype, Shape.of(to - from, c)) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        readFloats(src, (from + firstRow) * c, n * cols(), out, 0, scratch(src, (long) n * cols()));
      }
    };
  }

  /** Columns {@code [from, to)} of a 2-D tensor, as float type {@code dtype}. */
  public static Tensor sliceColumns(Tensor src, long from, long to, DType dtype) {
    checkArgument(src.shape().rank() == 2 && 0 <= from && from <= to && to <= src.shape().dim(1),
        "columns [%s, %s) of %s", from, to, src.shape());
    long c = src.shape().dim(1);
    return new RowBlockTensor(dtype, Shape.of(src.shape().dim(0), to - from)) {
      @Override
      protected void computeRows(long firstRow, int n, float[] out) throws IOException {
        int w = cols();
        ByteBuffer buf = scratch(src, w);
        for (int i = 0; i < n; i++) {
          readFloats(src, (firstRow + i) * c + from, w, out, i * w, buf);
        }
      }
    };
  }

  /**
   * A computed tensor that knows its transpose as another computation: a concatenation's transpose is the transposed
   * parts concatenated the other way (in fp32, so the result still rounds once), zeros' transpose is zeros.
   */
  private abstract static class Transposable extends RowBlockTensor {
    Transposable(DType dtype, Shape shape) {
      super(dtype, shape);
    }

    /** The transpose of this 2-D tensor in {@code out}. */
    abstract Tensor transpose(DType out);
  }

  /** Scratch bytes per read: large enough that per-call overhead vanishes, small enough to stay in cache. */
  private static final int SCRATCH_BYTES = 1 << 20;
  /** Input rows transposed together (see {@link #transposed}): a tile of them stays in cache. */
  private static final int TILE = 32;
  /** Output block of a transpose (see {@link #transposed}). */
  private static final int TRANSPOSE_BLOCK_BYTES = 16 << 20;

  /** A little-endian heap buffer for reading up to {@code elements} of {@code src} in steps of at most 1 MiB. */
  static ByteBuffer scratch(Tensor src, long elements) {
    checkArgument(src.dtype().convertsToFloat(), "dtype %s of %s does not convert to float", src.dtype(), src);
    long bytes = Math.max(1, Math.min(elements * src.dtype().byteSize(), SCRATCH_BYTES));
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Reads elements {@code [first, first+count)} of {@code src} into {@code out[off..]} as float, through {@code buf}
   * (from {@link #scratch}): no per-call arrays, bulk decoding.
   */
  static void readFloats(Tensor src, long first, int count, float[] out, int off, ByteBuffer buf)
      throws IOException {
    DType t = src.dtype();
    int es = t.byteSize();
    int per = Math.max(1, buf.capacity() / es);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, per);
      buf.clear().limit(n * es);
      src.read((first + done) * es, buf);
      buf.flip();
      FloatCodec.decode(t, buf, out, off + done, n);
      done += n;
    }
  }

  private static int part(long[] starts, long row) {
    int k = 0;
    while (starts[k + 1] <= row) {
      k++;
    }
    return k;
  }
}

package org.ffnfuse.graph.fusion;

import java.io.IOException;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;

/** Straightforward double-precision evaluation of norms and FFNs, independent of the fuser. */
final class ReferenceFfn {
  private ReferenceFfn() {}

  static double[] norm(NormParams n, double[] x) throws IOException {
    int h = x.length;
    float[] g = n.gain().toFloats();
    float[] b = n.bias().isPresent() ? n.bias().get().toFloats() : new float[h];
    double mean = 0;
    if (n.kind() == NormKind.LAYER_NORM) {
      for (double v : x) {
        mean += v / h;
      }
    }
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean) / h;
    }
    double inv = 1 / Math.sqrt(var + n.eps());
    double[] out = new double[h];
    for (int i = 0; i < h; i++) {
      out[i] = (x[i] - mean) * inv * (g[i] + n.gainOffset()) + b[i];
    }
    return out;
  }

  /** {@code W·u (+ b)} for a projection stored in {@code layout}. */
  static double[] project(Orientation layout, org.ffnfuse.formats.tensor.Tensor w,
      java.util.Optional<org.ffnfuse.formats.tensor.Tensor> bias, double[] u) throws IOException {
    float[] m = w.toFloats();
    long r = w.shape().dim(0);
    long c = w.shape().dim(1);
    int out = (int) (layout == Orientation.OUT_IN ? r : c);
    double[] y = new double[out];
    for (int i = 0; i < out; i++) {
      double s = 0;
      for (int j = 0; j < u.length; j++) {
        s += u[j] * (layout == Orientation.OUT_IN ? m[(int) (i * c + j)] : m[(int) (j * c + i)]);
      }
      y[i] = s;
    }
    if (bias.isPresent()) {
      float[] b = bias.get().toFloats();
      for (int i = 0; i < out; i++) {
        y[i] += b[i];
      }
    }
    return y;
  }

  static double[] ffn(FfnWeights f, double[] u) throws IOException {
    double[] a = project(f.orientation(), f.up(), f.upBias(), u);
    if (f.isGated()) {
      double[] g = project(f.orientation(), f.gate().get(), f.gateBias(), u);
      for (int i = 0; i < a.length; i++) {
        a[i] *= f.activation().apply(g[i]);
      }
    } else {
      for (int i = 0; i < a.length; i++) {
        a[i] = f.activation().apply(a[i]);
      }
    }
    return project(f.orientation(), f.down(), f.downBias(), a);
  }

  /** {@code h(x) = ffn(norm(x))} — the branch only, without the residual. */
  static double[] branch(FfnBlock b, double[] x) throws IOException {
    return ffn(b.ffn(), norm(b.norm(), x));
  }
}

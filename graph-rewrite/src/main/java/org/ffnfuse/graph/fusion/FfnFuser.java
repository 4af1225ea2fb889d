package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;

/**
 * Builds the single wide FFN that equals the parallel sum {@code Σ_k h_k(x)} of a chain's FFNs.
 *
 * <p>With {@code n(x)} the gain-free norm of {@code x} (shared by all members: same kind and eps), member k computes
 * {@code h_k = down_k(act(gate_k(γ_k⊙n + β_k)) ⊙ up_k(γ_k⊙n + β_k))}. Folding {@code diag(γ_k)} into the input columns
 * of gate/up and {@code W·β_k} into their biases makes every member read the same {@code n}; concatenating gate and up
 * rows and down columns then sums the members in the down projection. GELU MLPs concatenate fc1 rows and fc2 columns
 * and sum fc2 biases. The weight tensors are lazy: computed in fp32 row block by row block when written, rounded once.
 */
public final class FfnFuser {
  private FfnFuser() {}

  /** Fuses {@code chain} into weights of dtype {@code out}, without padding. */
  public static FusedFfn fuse(List<FfnBlock> chain, DType out) throws IOException {
    return fuse(chain, out, 0);
  }

  /**
   * Fuses {@code chain} into weights of dtype {@code out}, padded with zero rows/columns to {@code paddedWidth} when
   * that exceeds the summed width (0 for no padding).
   *
   * @throws IllegalArgumentException if the members disagree on norm kind, eps, gain offset, activation, gating,
   *     orientation or hidden size (such a chain is not one FFN)
   */
  public static FusedFfn fuse(List<FfnBlock> chain, DType out, long paddedWidth) throws IOException {
    checkArgument(!chain.isEmpty(), "empty chain");
    FfnBlock first = chain.get(0);
    for (int k = 1; k < chain.size(); k++) {
      FfnBlock b = chain.get(k);
      String why = incompatibility(first, b);
      checkArgument(why.isEmpty(), "chain member %s cannot be fused with member 0: %s", k, why);
    }
    Orientation layout = first.ffn().orientation();
    long hidden = first.ffn().hidden();
    boolean gated = first.ffn().isGated();
    long total = chain.stream().mapToLong(b -> b.ffn().width()).sum();
    long padding = paddedWidth > total ? paddedWidth - total : 0;

    List<Tensor> gates = new ArrayList<>();
    List<Tensor> ups = new ArrayList<>();
    List<Tensor> downs = new ArrayList<>();
    List<Optional<float[]>> inScales = new ArrayList<>();
    List<Optional<float[]>> noScales = new ArrayList<>();
    List<float[]> gateBiases = new ArrayList<>();
    List<float[]> upBiases = new ArrayList<>();
    boolean anyGateBias = false;
    boolean anyUpBias = false;
    List<Tensor> downBiases = new ArrayList<>();
    List<Long> widths = new ArrayList<>();
    for (FfnBlock b : chain) {
      FfnWeights f = b.ffn();
      float[] gain = effectiveGain(b.norm());
      Optional<float[]> beta = b.norm().bias().isPresent()
          ? Optional.of(b.norm().bias().get().toFloats()) : Optional.empty();
      f.gate().ifPresent(gates::add);
      ups.add(f.up());
      downs.add(f.down());
      inScales.add(Optional.of(gain));
      noScales.add(Optional.empty());
      widths.add(f.width());
      if (gated) {
        float[] bg = inputBias(f.gate().get(), f.gateBias(), beta, layout, f.width());
        gateBiases.add(bg);
        anyGateBias |= f.gateBias().isPresent() || beta.isPresent();
      }
      upBiases.add(inputBias(f.up(), f.upBias(), beta, layout, f.width()));
      anyUpBias |= f.upBias().isPresent() || beta.isPresent();
      f.downBias().ifPresent(downBiases::add);
    }
    if (padding > 0) {
      Shape inShape = layout == Orientation.OUT_IN ? Shape.of(padding, hidden) : Shape.of(hidden, padding);
      Shape downShape = layout == Orientation.OUT_IN ? Shape.of(hidden, padding) : Shape.of(padding, hidden);
      if (gated) {
        gates.add(Tensors.zeros(out, inShape));
        gateBiases.add(new float[(int) padding]);
      }
      ups.add(Tensors.zeros(out, inShape));
      upBiases.add(new float[(int) padding]);
      downs.add(Tensors.zeros(out, downShape));
      inScales.add(Optional.empty());
      noScales.add(Optional.empty());
    }

    Optional<Tensor> gate = gated ? Optional.of(concatInput(out, layout, gates, inScales)) : Optional.empty();
    Tensor up = concatInput(out, layout, ups, inScales);
    Tensor down = layout == Orientation.OUT_IN
        ? Tensors.concatColumns(out, downs, noScales)
        : Tensors.concatRows(out, downs, noScales);
    long width = total + padding;
    Optional<Tensor> gateBias = anyGateBias ? Optional.of(vector(out, gateBiases, width)) : Optional.empty();
    Optional<Tensor> upBias = anyUpBias ? Optional.of(vector(out, upBiases, width)) : Optional.empty();
    Optional<Tensor> downBias = downBiases.isEmpty() ? Optional.empty()
        : Optional.of(Tensors.sum(out, downBiases));
    FfnWeights fused = new FfnWeights(first.ffn().activation(), layout, gate, up, down, gateBias, upBias, downBias);

    NormParams n = first.norm();
    float[] unit = new float[(int) hidden];
    Arrays.fill(unit, 1f - n.gainOffset());
    Optional<Tensor> normBias = n.bias().isPresent()
        ? Optional.of(HeapTensor.ofFloats(n.gain().dtype(), Shape.of(hidden), new float[(int) hidden]))
        : Optional.empty();
    NormParams norm = new NormParams(n.kind(), n.eps(), HeapTensor.ofFloats(n.gain().dtype(), Shape.of(hidden), unit),
        n.gainOffset(), normBias);
    return new FusedFfn(new FfnBlock(norm, fused), widths, padding);
  }

  /** Why {@code b} cannot join a chain started by {@code a}, or "" if it can. */
  public static String incompatibility(FfnBlock a, FfnBlock b) {
    if (a.norm().kind() != b.norm().kind()) {
      return "norm " + b.norm().kind() + " vs " + a.norm().kind();
    }
    if (a.norm().eps() != b.norm().eps()) {
      return "norm eps " + b.norm().eps() + " vs " + a.norm().eps();
    }
    if (a.norm().gainOffset() != b.norm().gainOffset()) {
      return "norm gain offset " + b.norm().gainOffset() + " vs " + a.norm().gainOffset();
    }
    if (a.ffn().activation() != b.ffn().activation()) {
      return "activation " + b.ffn().activation() + " vs " + a.ffn().activation();
    }
    if (a.ffn().isGated() != b.ffn().isGated()) {
      return "gated " + b.ffn().isGated() + " vs " + a.ffn().isGated();
    }
    if (a.ffn().orientation() != b.ffn().orientation()) {
      return "orientation " + b.ffn().orientation() + " vs " + a.ffn().orientation();
    }
    if (a.ffn().hidden() != b.ffn().hidden()) {
      return "hidden size " + b.ffn().hidden() + " vs " + a.ffn().hidden();
    }
    return "";
  }

  private static Tensor concatInput(DType out, Orientation layout, List<Tensor> parts,
      List<Optional<float[]>> gains) {
    return layout == Orientation.OUT_IN
        ? Tensors.concatRows(out, parts, gains)
        : Tensors.concatColumns(out, parts, gains);
  }

  private static float[] effectiveGain(NormParams n) throws IOException {
    float[] g = n.gain().toFloats();
    if (n.gainOffset() != 0) {
      for (int i = 0; i < g.length; i++) {
        g[i] += n.gainOffset();
      }
    }
    return g;
  }

  /** {@code b + W·β} for an input projection {@code W} (hidden → width); β is the LayerNorm bias. */
  private static float[] inputBias(Tensor w, Optional<Tensor> bias, Optional<float[]> beta, Orientation layout,
      long width) throws IOException {
    float[] out = bias.isPresent() ? bias.get().toFloats() : new float[(int) width];
    if (beta.isEmpty()) {
      return out;
    }
    float[] bt = beta.get();
    int hidden = bt.length;
    double[] acc = new double[(int) width];
    if (layout == Orientation.OUT_IN) { // [width, hidden]: one row per output
      for (int i = 0; i < width; i++) {
        float[] row = w.toFloats((long) i * hidden, hidden);
        double s = 0;
        for (int h = 0; h < hidden; h++) {
          s += (double) row[h] * bt[h];
        }
        acc[i] = s;
      }
    } else { // [hidden, width]
      for (int h = 0; h < hidden; h++) {
        float[] row = w.toFloats((long) h * width, (int) width);
        for (int i = 0; i < width; i++) {
          acc[i] += (double) row[i] * bt[h];
        }
      }
    }
    for (int i = 0; i < width; i++) {
      out[i] = (float) (out[i] + acc[i]);
    }
    return out;
  }

  private static Tensor vector(DType out, List<float[]> parts, long width) {
    float[] v = new float[(int) width];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, v, at, p.length);
      at += p.length;
    }
    return HeapTensor.ofFloats(out, Shape.of(width), v);
  }
}

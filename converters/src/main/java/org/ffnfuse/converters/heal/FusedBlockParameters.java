package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.fusion.FfnWeights;
import org.ffnfuse.graph.fusion.NormParams;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;

/**
 * A fused block's parameters in heap, fp32: the norm (kind, eps, effective gain, LayerNorm bias; fixed while healing)
 * and the wide FFN's projections in Hugging Face orientation: {@code gate} and {@code up} {@code [width, hidden]},
 * {@code down} {@code [hidden, width]}, row-major. It computes
 * {@code F(x) = down·(act(gate·u + bg) ⊙ (up·u + bu)) + bd} with {@code u = norm(x)} (a plain MLP has no gate:
 * {@code down·act(up·u + bu) + bd}).
 *
 * <p>Immutable: accessors return copies, {@code with…} methods return new instances. Holding one fused block takes
 * {@code 3·width·hidden·4} bytes of heap.
 */
public final class FusedBlockParameters {
  private final Activation activation;
  private final NormKind normKind;
  private final double eps;
  private final float[] normGain;
  private final Optional<float[]> normBias;
  private final int hidden;
  private final int width;
  private final Optional<float[]> gate;
  private final float[] up;
  private final float[] down;
  private final Optional<float[]> gateBias;
  private final Optional<float[]> upBias;
  private final Optional<float[]> downBias;
  private final List<Long> memberWidths;

  private FusedBlockParameters(Activation activation, NormKind normKind, double eps, float[] normGain,
      Optional<float[]> normBias, int hidden, int width, Optional<float[]> gate, float[] up, float[] down,
      Optional<float[]> gateBias, Optional<float[]> upBias, Optional<float[]> downBias, List<Long> memberWidths) {
    this.activation = activation;
    this.normKind = normKind;
    this.eps = eps;
    this.normGain = normGain;
    this.normBias = normBias;
    this.hidden = hidden;
    this.width = width;
    this.gate = gate;
    this.up = up;
    this.down = down;
    this.gateBias = gateBias;
    this.upBias = upBias;
    this.downBias = downBias;
    this.memberWidths = List.copyOf(memberWidths);
  }

  /**
   * Reads a block's norm and FFN into heap (fp32, Hugging Face orientation).
   *
   * @param memberWidths the widths of the FFNs fused into this one, in chain order (their sum may be less than the
   *     width when the rest is zero padding); empty if unknown
   * @throws IllegalArgumentException if the widths add up to more than the FFN's width, or the FFN is too large for
   *     Java arrays
   */
  public static FusedBlockParameters read(NormParams norm, FfnWeights ffn, List<Long> memberWidths)
      throws IOException {
    checkNotNull(norm);
    checkNotNull(ffn);
    long w = ffn.width();
    long h = ffn.hidden();
    checkArgument(w * h <= Integer.MAX_VALUE, "an FFN of %sx%s does not fit in Java arrays", w, h);
    checkArgument(memberWidths.stream().mapToLong(Long::longValue).sum() <= w, "member widths %s exceed width %s",
        memberWidths, w);
    float[] gain = norm.gain().toFloats();
    for (int i = 0; i < gain.length; i++) {
      gain[i] += norm.gainOffset();
    }
    boolean outIn = ffn.orientation() == Orientation.OUT_IN;
    Optional<float[]> gate = ffn.gate().isPresent()
        ? Optional.of(outIn(ffn.gate().get(), outIn, (int) w, (int) h)) : Optional.empty();
    return new FusedBlockParameters(ffn.activation(), norm.kind(), norm.eps(), gain, floats(norm.bias()), (int) h,
        (int) w, gate, outIn(ffn.up(), outIn, (int) w, (int) h), outIn(ffn.down(), outIn, (int) h, (int) w),
        floats(ffn.gateBias()), floats(ffn.upBias()), floats(ffn.downBias()), memberWidths);
  }

  /** A block from arrays (copied), e.g. for tests; {@code gate} may be null for a plain MLP. */
  public static FusedBlockParameters of(Activation activation, NormKind normKind, double eps, float[] normGain,
      float[] gate, float[] up, float[] down, List<Long> memberWidths) {
    int h = normGain.length;
    checkArgument(up.length % h == 0, "up has %s values, not a multiple of hidden %s", up.length, h);
    int w = up.length / h;
    checkArgument(gate == null || gate.length == up.length, "gate has %s values, up %s", gate == null ? 0
        : gate.length, up.length);
    checkArgument(down.length == up.length, "down has %s values, up %s", down.length, up.length);
    return new FusedBlockParameters(activation, normKind, eps, normGain.clone(), Optional.empty(), h, w,
        Optional.ofNullable(gate).map(float[]::clone), up.clone(), down.clone(), Optional.empty(), Optional.empty(),
        Optional.empty(), memberWidths);
  }

  private static float[] outIn(Tensor t, boolean isOutIn, int rows, int cols) throws IOException {
    float[] v = t.toFloats();
    return isOutIn ? v : transpose(v, cols, rows);
  }

  /** {@code m} ({@code rows × cols}, row-major) transposed. */
  static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  private static Optional<float[]> floats(Optional<Tensor> t) throws IOException {
    return t.isPresent() ? Optional.of(t.get().toFloats()) : Optional.empty();
  }

  /**
   * This block with new projections (copied; same shapes). {@code gate} must be null exactly when this block has no
   * gate.
   */
  public FusedBlockParameters withProjections(float[] newGate, float[] newUp, float[] newDown) {
    checkArgument((newGate == null) == gate.isEmpty(), "gate presence must not change");
    checkArgument(newUp.length == up.length && newDown.length == down.length
        && (newGate == null || newGate.length == up.length), "projection sizes must not change");
    return new FusedBlockParameters(activation, normKind, eps, normGain, normBias, hidden, width,
        Optional.ofNullable(newGate).map(float[]::clone), newUp.clone(), newDown.clone(), gateBias, upBias, downBias,
        memberWidths);
  }

  /** This block with a new down projection {@code [hidden, width]} (copied). */
  public FusedBlockParameters withDown(float[] newDown) {
    return withProjections(gate.orElse(null), up, newDown);
  }

  /**
   * The FFN as lazy-free heap tensors of {@code dtype} in {@code orientation}, for writing; biases are converted too.
   */
  public FfnWeights toFfnWeights(DType dtype, Orientation orientation) {
    boolean outIn = orientation == Orientation.OUT_IN;
    Shape in = outIn ? Shape.of(width, hidden) : Shape.of(hidden, width);
    Shape out = outIn ? Shape.of(hidden, width) : Shape.of(width, hidden);
    Optional<Tensor> g = gate.map(v -> HeapTensor.ofFloats(dtype, in, outIn ? v : transpose(v, width, hidden)));
    Tensor u = HeapTensor.ofFloats(dtype, in, outIn ? up : transpose(up, width, hidden));
    Tensor d = HeapTensor.ofFloats(dtype, out, outIn ? down : transpose(down, hidden, width));
    return new FfnWeights(activation, orientation, g, u, d, vector(gateBias, dtype), vector(upBias, dtype),
        vector(downBias, dtype));
  }

  private static Optional<Tensor> vector(Optional<float[]> v, DType dtype) {
    return v.map(b -> HeapTensor.ofFloats(dtype, Shape.of(b.length), b));
  }

  /** The activation of the gate (or of fc1 in a plain MLP). */
  public Activation activation() {
    return activation;
  }

  /** The kind of the block's norm. */
  public NormKind normKind() {
    return normKind;
  }

  /** The norm's epsilon. */
  public double eps() {
    return eps;
  }

  /** Effective norm gain (stored gain plus offset), a copy. */
  public float[] normGain() {
    return normGain.clone();
  }

  /** LayerNorm bias (a copy), if any. */
  public Optional<float[]> normBias() {
    return normBias.map(float[]::clone);
  }

  /** Model width (input and output of the FFN). */
  public int hidden() {
    return hidden;
  }

  /** Intermediate width of the fused FFN. */
  public int width() {
    return width;
  }

  /** Whether the FFN has a gate projection. */
  public boolean gated() {
    return gate.isPresent();
  }

  /** Gate projection {@code [width, hidden]} (a copy), for a gated FFN. */
  public Optional<float[]> gate() {
    return gate.map(float[]::clone);
  }

  /** Up projection (fc1) {@code [width, hidden]}, a copy. */
  public float[] up() {
    return up.clone();
  }

  /** Down projection (fc2) {@code [hidden, width]}, a copy. */
  public float[] down() {
    return down.clone();
  }

  /** Gate bias {@code [width]} (a copy), if any. */
  public Optional<float[]> gateBias() {
    return gateBias.map(float[]::clone);
  }

  /** Up bias {@code [width]} (a copy), if any. */
  public Optional<float[]> upBias() {
    return upBias.map(float[]::clone);
  }

  /** Down bias {@code [hidden]} (a copy), if any. */
  public Optional<float[]> downBias() {
    return downBias.map(float[]::clone);
  }

  /** Widths of the FFNs fused into this one, in chain order (empty if unknown). */
  public List<Long> memberWidths() {
    return memberWidths;
  }

  // Package-private views without copies, for the fitting code.
  float[] upArray() {
    return up;
  }

  float[] downArray() {
    return down;
  }

  Optional<float[]> gateArray() {
    return gate;
  }

  float[] normGainArray() {
    return normGain;
  }

  Optional<float[]> normBiasArray() {
    return normBias;
  }

  Optional<float[]> gateBiasArray() {
    return gateBias;
  }

  Optional<float[]> upBiasArray() {
    return upBias;
  }

  Optional<float[]> downBiasArray() {
    return downBias;
  }

  @Override
  public String toString() {
    return "FusedBlockParameters[" + activation + ", " + normKind + " eps " + eps + ", hidden " + hidden + ", width "
        + width + (gate.isPresent() ? ", gated" : "") + ", members " + memberWidths + "]";
  }

  /**
   * The norm applied to {@code x} ({@code tokens · hidden} floats, token-major): the block's FFN input {@code u}, same
   * layout. The norm has no trainable parameters while healing, so trainers can feed {@code u} directly.
   */
  public float[] normalize(float[] x) {
    checkArgument(x.length % hidden == 0, "%s values are not whole tokens of %s", x.length, hidden);
    return new FfnKernel(this).normalize(x, 0, x.length / hidden);
  }

  /** {@code F(x)}, the block's contribution to the residual stream, for {@code x} of whole tokens (token-major). */
  public float[] contribution(float[] x) {
    checkArgument(x.length % hidden == 0, "%s values are not whole tokens of %s", x.length, hidden);
    return new FfnKernel(this).forward(x, 0, x.length / hidden);
  }

  /** {@code Σ‖y − x − F(x)‖² / Σ‖y − x‖²} of this block over {@code samples} (0 = matches the chain exactly). */
  public double relativeError(ChainSamples samples) {
    checkArgument(samples.hidden() == hidden, "samples of hidden %s for a block of hidden %s", samples.hidden(),
        hidden);
    return new FfnKernel(this).relativeError(samples);
  }

  /** Whether every projection value is finite (a diverged fit is not). */
  boolean isFinite() {
    return allFinite(up) && allFinite(down) && gate.map(FusedBlockParameters::allFinite).orElse(true);
  }

  private static boolean allFinite(float[] v) {
    for (float f : v) {
      if (!Float.isFinite(f)) {
        return false;
      }
    }
    return true;
  }
}

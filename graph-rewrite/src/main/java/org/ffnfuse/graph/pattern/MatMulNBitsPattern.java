package org.ffnfuse.graph.pattern;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;

/**
 * ONNX Runtime's block-quantized linear layer ({@code com.microsoft}, as the GenAI model builder writes int4 models),
 * anchored at it, as a {@link LinearMatch} with a {@link BlockQuantization}:
 *
 * <pre>
 *   x [.., K] ── MatMulNBits(B, scales, zero_points?, g_idx = none, bias?) ── y [.., N]
 *                 B: [N, K/block, block·bits/8] uint8; attributes K, N, bits, block_size
 * </pre>
 *
 * Weight, scales, zero points and bias must be initializers whose shapes agree with {@code K}, {@code N},
 * {@code bits} and {@code block_size}; an act-order {@code g_idx} is refused.
 */
public final class MatMulNBitsPattern implements Pattern<LinearMatch> {
  @Override
  public String name() {
    return "MatMulNBits";
  }

  @Override
  public String anchorOp() {
    return "com.microsoft.MatMulNBits";
  }

  @Override
  public boolean isAnchor(Node n) {
    return n.is("com.microsoft", "MatMulNBits");
  }

  @Override
  public Match<LinearMatch> match(Graph g, Node anchor) {
    if (!isAnchor(anchor)) {
      return Match.miss(anchor, "expected com.microsoft MatMulNBits");
    }
    long k = anchor.intAttribute("K", 0);
    long n = anchor.intAttribute("N", 0);
    int bits = (int) anchor.intAttribute("bits", 4);
    int block = (int) anchor.intAttribute("block_size", 0);
    if (k <= 0 || n <= 0 || bits < 2 || bits > 8 || block < 16 || Integer.bitCount(block) != 1) {
      return Match.miss(anchor, "attributes K=" + k + " N=" + n + " bits=" + bits + " block_size=" + block
          + " out of range (expected K, N > 0, bits 2..8, block_size a power of two >= 16)");
    }
    long blocks = (k + block - 1) / block;
    Optional<String> weight = g.initializerBehind(anchor.input(1));
    if (weight.isEmpty()) {
      return Match.miss(anchor, "weight " + anchor.input(1) + " is not an initializer");
    }
    InitializerInfo w = g.initializer(weight.get()).orElseThrow();
    Shape packed = Shape.of(n, blocks, (long) block * bits / 8);
    if (!w.dtype().equals(Optional.of(DType.U8)) || !w.shape().equals(packed)) {
      return Match.miss(anchor, "weight " + weight.get() + " is " + w.dtype().map(DType::name).orElse("?") + " "
          + w.shape() + ", expected U8 " + packed);
    }
    Optional<String> scales = g.initializerBehind(anchor.input(2));
    if (scales.isEmpty() || !isFloatOf(g, scales.get(), n * blocks)) {
      return Match.miss(anchor, "scales " + anchor.input(2) + " are not a float initializer of " + n * blocks
          + " elements");
    }
    if (!anchor.input(4).isEmpty()) {
      return Match.miss(anchor, "has g_idx " + anchor.input(4) + " (act-order quantization); not supported");
    }
    Optional<String> zeroPoints = g.initializerBehind(anchor.input(3));
    if (!anchor.input(3).isEmpty() && zeroPoints.isEmpty()) {
      return Match.miss(anchor, "zero points " + anchor.input(3) + " are not an initializer");
    }
    Optional<String> bias = g.initializerBehind(anchor.input(5));
    if (!anchor.input(5).isEmpty() && (bias.isEmpty() || !isFloatOf(g, bias.get(), n))) {
      return Match.miss(anchor, "bias " + anchor.input(5) + " is not a float initializer of " + n + " elements");
    }
    BlockQuantization q = new BlockQuantization(bits, block, scales.get(), zeroPoints);
    return Match.found(new LinearMatch(anchor.input(0), anchor.output(0), weight.get(), Orientation.OUT_IN, k, n,
        bias, List.of(anchor), Optional.of(q)));
  }

  private static boolean isFloatOf(Graph g, String init, long count) {
    InitializerInfo i = g.initializer(init).orElseThrow();
    return i.shape().elementCount() == count && i.isFloat();
  }
}

package org.ffnfuse.graph.fusion;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.FusedGateUp;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.pattern.Orientation;
import org.ffnfuse.graph.structure.FfnBranch;

/**
 * An FFN branch recognized in a graph as a fusion member ({@link FfnBlock}): its norm's gain, offset and bias, and its
 * projections as lazy views of the graph's initializers, all in {@link Orientation#IN_OUT} (the {@code [in, out]}
 * layout a plain {@code MatMul} reads; {@code [out, in]} weights are transposed lazily). A fused {@code gate_up}
 * projection (Phi-3) is split into its gate and up halves; a bias folded into the activation op (FastGelu, BiasGelu)
 * is added to the gate's (or fc1's) bias.
 */
final class GraphFfnMembers {
  private GraphFfnMembers() {}

  /** Block {@code branch} of {@code g} as a fusion member; reads only norm vectors and biases into heap. */
  static FfnBlock of(Graph g, FfnBranch branch) throws IOException {
    FfnMatch f = branch.ffn();
    NormMatch n = branch.norm();
    long hidden = f.hidden();
    Tensor gain;
    if (n.weight().isPresent()) {
      gain = g.tensor(n.weight().get());
    } else {
      float[] ones = new float[Math.toIntExact(hidden)];
      Arrays.fill(ones, 1f);
      gain = HeapTensor.ofFloats(Shape.of(hidden), ones);
    }
    Optional<Tensor> normBias = n.bias().isPresent() ? Optional.of(g.tensor(n.bias().get())) : Optional.empty();
    NormParams norm = new NormParams(n.kind(), n.epsilon(), gain, (float) n.gainOffset(), normBias);

    Optional<Tensor> gate;
    Optional<Tensor> gateBias;
    Tensor up;
    Optional<Tensor> upBias;
    if (f.gateUp().isPresent()) {
      FusedGateUp gu = f.gateUp().get();
      Tensor w = inOut(g, gu.linear());
      Optional<float[]> b = gu.linear().bias().isPresent()
          ? Optional.of(g.tensor(gu.linear().bias().get()).toFloats()) : Optional.empty();
      gate = Optional.of(Tensors.sliceColumns(w, gu.gateOffset(), gu.gateOffset() + gu.width(), DType.F32));
      up = Tensors.sliceColumns(w, gu.upOffset(), gu.upOffset() + gu.width(), DType.F32);
      gateBias = b.map(v -> slice(v, gu.gateOffset(), gu.width()));
      upBias = b.map(v -> slice(v, gu.upOffset(), gu.width()));
    } else if (f.kind().gated()) {
      LinearMatch gl = f.gate().orElseThrow();
      LinearMatch ul = f.up().orElseThrow();
      gate = Optional.of(inOut(g, gl));
      gateBias = bias(g, gl);
      up = inOut(g, ul);
      upBias = bias(g, ul);
    } else {
      LinearMatch fc1 = f.up().orElseThrow();
      gate = Optional.empty();
      gateBias = Optional.empty();
      up = inOut(g, fc1);
      upBias = bias(g, fc1);
    }
    if (f.activationBias().isPresent()) {
      Tensor extra = g.tensor(f.activationBias().get());
      if (gate.isPresent()) {
        gateBias = Optional.of(add(gateBias, extra));
      } else {
        upBias = Optional.of(add(upBias, extra));
      }
    }
    Tensor down = inOut(g, f.down());
    FfnWeights w = new FfnWeights(f.activation(), Orientation.IN_OUT, gate, up, down, gateBias, upBias,
        bias(g, f.down()));
    return new FfnBlock(norm, w);
  }

  /** The weight of {@code l} as {@code [in, out]}. */
  private static Tensor inOut(Graph g, LinearMatch l) throws IOException {
    Tensor w = g.tensor(l.weight());
    return l.orientation() == Orientation.IN_OUT ? w : Tensors.transposed(w, DType.F32);
  }

  private static Optional<Tensor> bias(Graph g, LinearMatch l) throws IOException {
    return l.bias().isPresent() ? Optional.of(g.tensor(l.bias().get())) : Optional.empty();
  }

  private static Tensor slice(float[] v, long from, long n) {
    return HeapTensor.ofFloats(Shape.of(n), Arrays.copyOfRange(v, (int) from, (int) (from + n)));
  }

  private static Tensor add(Optional<Tensor> a, Tensor b) throws IOException {
    float[] s = b.toFloats();
    if (a.isPresent()) {
      float[] x = a.get().toFloats();
      for (int i = 0; i < s.length; i++) {
        s[i] += x[i];
      }
    }
    return HeapTensor.ofFloats(Shape.of(s.length), s);
  }
}

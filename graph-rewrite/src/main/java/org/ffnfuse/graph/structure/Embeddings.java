package org.ffnfuse.graph.structure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.BlockQuantization;
import org.ffnfuse.graph.pattern.Orientation;

/**
 * Finds the token embedding indexed by a graph input: a Gather (axis 0) of a float {@code [vocab, hidden]}
 * initializer, of a {@code Transpose} of a {@code [hidden, vocab]} one (a tied LM-head weight), or a
 * {@code com.microsoft} {@code GatherBlockQuantized} of the packed int4 LM-head weight.
 */
final class Embeddings {
  private final Graph g;

  Embeddings(Graph g) {
    this.g = g;
  }

  Optional<Embedding> find() {
    List<Node> candidates = new ArrayList<>();
    List<Integer> inputRank = new ArrayList<>();
    for (Node n : g.nodes()) {
      Optional<Table> w = table(n);
      if (w.isEmpty()) {
        continue;
      }
      Optional<String> in = graphInputBehind(n.input(1));
      if (in.isPresent()) {
        candidates.add(n);
        inputRank.add(g.inputs().indexOf(in.get()));
      }
    }
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    int best = inputRank.stream().mapToInt(Integer::intValue).min().orElseThrow();
    List<Node> bestOnes = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (inputRank.get(i) == best) {
        bestOnes.add(candidates.get(i));
      }
    }
    if (bestOnes.size() != 1) {
      return Optional.empty();
    }
    Node gather = bestOnes.get(0);
    Table w = table(gather).orElseThrow();
    String s = gather.output(0);
    double scale = 1;
    Optional<String> position = Optional.empty();
    for (int step = 0; step < 4; step++) {
      List<Node> cs = g.consumers(s);
      String cur = s;
      Optional<Node> mul = cs.stream().filter(c -> c.is("Mul") && scalarOther(c, cur).isPresent()).findFirst();
      Optional<Node> add = cs.stream().filter(c -> c.is("Add") && positionTable(other(c, cur))).findFirst();
      if (mul.isPresent() && cs.stream().noneMatch(c -> c.is("Add"))) {
        scale *= scalarOther(mul.get(), s).get();
        s = mul.get().output(0);
      } else if (add.isPresent() && position.isEmpty()) {
        position = positionWeight(other(add.get(), s));
        s = add.get().output(0);
      } else {
        break;
      }
    }
    return Optional.of(new Embedding(w.weight(), w.vocab(), w.hidden(), scale, position, s, w.orientation(),
        w.quantization()));
  }

  private record Table(String weight, long vocab, long hidden, Orientation orientation,
      Optional<BlockQuantization> quantization) {}

  private Optional<Table> table(Node n) {
    if (n.is("com.microsoft", "GatherBlockQuantized")) {
      return quantizedTable(n);
    }
    if (!n.is("Gather") || n.intAttribute("axis", 0) != 0) {
      return Optional.empty();
    }
    Optional<InitializerInfo> i = g.initializerBehind(n.input(0)).flatMap(g::initializer);
    if (i.isEmpty()) {
      Optional<Node> t = g.producer(n.input(0)).filter(p -> p.is("Transpose")
          && p.intsAttribute("perm").equals(Optional.of(List.of(1L, 0L))));
      return t.flatMap(p -> g.initializerBehind(p.input(0))).flatMap(g::initializer)
          .filter(x -> x.isFloat() && x.shape().rank() == 2)
          .map(x -> new Table(x.name(), x.shape().dim(1), x.shape().dim(0), Orientation.IN_OUT, Optional.empty()));
    }
    return i.filter(x -> x.isFloat() && x.shape().rank() == 2)
        .map(x -> new Table(x.name(), x.shape().dim(0), x.shape().dim(1), Orientation.OUT_IN, Optional.empty()));
  }

  /**
   * {@code GatherBlockQuantized(data, indices, scales, zero_points?)} gathering rows (gather_axis 0) of a table
   * quantized along its last axis: data is a packed {@code U8} initializer, directly or through a Reshape, with
   * {@code vocab} rows; the scales give {@code hidden / block_size} per row.
   */
  private Optional<Table> quantizedTable(Node n) {
    long bits = n.intAttribute("bits", 4);
    long block = n.intAttribute("block_size", 128);
    if (n.intAttribute("gather_axis", 0) != 0 || n.intAttribute("quantize_axis", 1) != 1 || bits != 4 || block < 16) {
      return Optional.empty();
    }
    String data = n.input(0);
    Optional<Node> reshape = g.producer(data).filter(p -> p.is("Reshape"));
    Optional<InitializerInfo> w = g.initializerBehind(reshape.map(r -> r.input(0)).orElse(data))
        .flatMap(g::initializer).filter(x -> x.dtype().equals(Optional.of(DType.U8)) && x.shape().rank() >= 2);
    Optional<InitializerInfo> scales = g.initializerBehind(n.input(2)).flatMap(g::initializer)
        .filter(InitializerInfo::isFloat);
    Optional<String> zeroPoints = g.initializerBehind(n.input(3));
    if (w.isEmpty() || scales.isEmpty() || (!n.input(3).isEmpty() && zeroPoints.isEmpty())) {
      return Optional.empty();
    }
    long vocab = w.get().shape().dim(0);
    long hidden = w.get().shape().elementCount() / vocab * 8 / bits;
    if (scales.get().shape().elementCount() != vocab * ((hidden + block - 1) / block)) {
      return Optional.empty();
    }
    BlockQuantization q = new BlockQuantization((int) bits, (int) block, scales.get().name(), zeroPoints);
    return Optional.of(new Table(w.get().name(), vocab, hidden, Orientation.OUT_IN, Optional.of(q)));
  }

  private boolean positionTable(String value) {
    String v = value;
    Optional<Node> p = g.producer(v);
    while (p.isPresent() && p.get().is("Cast")) {
      v = p.get().input(0);
      p = g.producer(v);
    }
    return p.isPresent() && table(p.get()).isPresent() && graphInputBehind(p.get().input(1)).isEmpty();
  }

  private Optional<String> positionWeight(String v) {
    Optional<Node> p = g.producer(v);
    while (p.isPresent() && p.get().is("Cast")) {
      p = g.producer(p.get().input(0));
    }
    return p.flatMap(n -> g.initializerBehind(n.input(0)));
  }

  private Optional<String> graphInputBehind(String v) {
    for (int i = 0; i < 8; i++) {
      if (g.isGraphInput(v)) {
        return Optional.of(v);
      }
      Optional<Node> p = g.producer(v);
      if (p.isEmpty() || !StructureRecognizer.passThrough(p.get())) {
        return Optional.empty();
      }
      v = p.get().input(0);
    }
    return Optional.empty();
  }

  private Optional<Double> scalarOther(Node n, String v) {
    return g.constantFloats(other(n, v)).filter(f -> f.length == 1).map(f -> (double) f[0]);
  }

  private static String other(Node n, String v) {
    return n.input(0).equals(v) ? n.input(1) : n.input(0);
  }
}

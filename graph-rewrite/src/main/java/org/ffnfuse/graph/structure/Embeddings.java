package org.ffnfuse.graph.structure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;

/** Finds the token embedding: a Gather (axis 0) of a float [vocab, hidden] initializer indexed by a graph input. */
final class Embeddings {
  private final Graph g;

  Embeddings(Graph g) {
    this.g = g;
  }

  Optional<Embedding> find() {
    List<Node> candidates = new ArrayList<>();
    List<Integer> inputRank = new ArrayList<>();
    for (Node n : g.nodes()) {
      Optional<Shape> w = table(n);
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
    Shape w = table(gather).orElseThrow();
    String weight = g.initializerBehind(gather.input(0)).orElseThrow();
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
    return Optional.of(new Embedding(weight, w.dim(0), w.dim(1), scale, position, s));
  }

  private Optional<Shape> table(Node n) {
    if (!n.is("Gather") || n.intAttribute("axis", 0) != 0) {
      return Optional.empty();
    }
    Optional<InitializerInfo> i = g.initializerBehind(n.input(0)).flatMap(g::initializer);
    return i.filter(x -> x.isFloat() && x.shape().rank() == 2).map(InitializerInfo::shape);
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

package org.ffnfuse.graph.structure;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.Linears;

/** Finds the LM head: a linear layer reading the final norm (through reshapes/casts) and producing a graph output. */
final class LmHeads {
  private final Graph g;

  LmHeads(Graph g) {
    this.g = g;
  }

  Optional<LmHead> find(String normOutput, Embedding emb) {
    Deque<String> todo = new ArrayDeque<>(List.of(normOutput));
    for (int guard = 0; !todo.isEmpty() && guard < 64; guard++) {
      String v = todo.pop();
      for (Node c : g.consumers(v)) {
        if (Linears.isCore(g, c) && c.input(0).equals(v)) {
          Optional<LinearMatch> lin = Linears.at(g, Linears.outputOf(g, c)).found();
          if (lin.isEmpty()) {
            continue;
          }
          Optional<String> out = graphOutputFrom(lin.get().output());
          if (out.isPresent() && lin.get().in() == emb.hidden()) {
            LinearMatch l = lin.get();
            return Optional.of(new LmHead(l.weight(), l.orientation(), l.weight().equals(emb.weight()), l.bias(),
                out.get()));
          }
        } else if (StructureRecognizer.passThrough(c) || c.is("Slice") || c.is("Gather")) {
          todo.add(c.output(0));
        }
      }
    }
    return Optional.empty();
  }

  private Optional<String> graphOutputFrom(String v) {
    for (int i = 0; i < 8; i++) {
      if (g.isGraphOutput(v)) {
        return Optional.of(v);
      }
      String cur = v;
      Optional<Node> next = g.consumers(v).stream().filter(c -> StructureRecognizer.passThrough(c)
          && c.input(0).equals(cur)).findFirst();
      if (next.isEmpty()) {
        return Optional.empty();
      }
      v = next.get().output(0);
    }
    return Optional.empty();
  }
}

package org.ffnfuse.graph.pass;

import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Rewriter;
import org.ffnfuse.graph.pattern.ZeroAddMatch;
import org.ffnfuse.graph.pattern.ZeroAddPattern;

/**
 * Removes {@code x + zeros} (how exporters write a removed attention: {@code x + zeros_like(x)}), rewiring readers to
 * {@code x}. A zero add whose output is a graph output is kept (graph outputs keep their names).
 */
public final class ZeroResidualAddElimination implements Pass {
  private final ZeroAddPattern pattern = new ZeroAddPattern();

  @Override
  public String name() {
    return "ZeroAddElimination";
  }

  @Override
  public PassResult run(Graph g) {
    List<ZeroAddMatch> matches = pattern.findAll(g);
    Rewriter r = g.rewriter();
    int removed = 0;
    for (ZeroAddMatch m : matches) {
      if (g.isGraphOutput(m.output())) {
        continue;
      }
      r.remove(m.add());
      r.replaceUses(m.output(), m.input());
      removed++;
    }
    if (removed == 0) {
      return new PassResult(g, name() + ": nothing to remove");
    }
    Graph out = r.removeDeadNodes().apply();
    return new PassResult(out, name() + ": removed " + removed + " zero adds, " + (g.nodes().size()
        - out.nodes().size()) + " nodes");
  }

}

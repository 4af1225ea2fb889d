package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * A read-only matcher anchored at one kind of node. {@link #match} never changes the graph; rewriting is done by the
 * caller through a {@link org.ffnfuse.graph.ir.Rewriter}.
 *
 * @param <M> the record describing a match
 */
public interface Pattern<M> {
  /** Short name for logs and reports, e.g. {@code RmsNorm}. */
  String name();

  /** The anchor op, e.g. {@code Mul} or {@code com.microsoft.SkipLayerNormalization}. */
  String anchorOp();

  /** Whether {@code n} is a node this pattern may be anchored at. */
  boolean isAnchor(Node n);

  /** Matches at {@code anchor}; read-only. */
  Match<M> match(Graph g, Node anchor);

  /** Every match in {@code g}, in graph order; misses are logged at FINE. */
  default List<M> findAll(Graph g) {
    Logger log = Logger.getLogger(getClass().getName());
    List<M> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (!isAnchor(n)) {
        continue;
      }
      Match<M> m = match(g, n);
      if (m instanceof Match.Found<M> f) {
        out.add(f.result());
      } else if (log.isLoggable(Level.FINE)) {
        log.fine(name() + " at " + n + ": no match: " + m);
      }
    }
    return out;
  }
}

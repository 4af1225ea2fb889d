package org.ffnfuse.graph.pass;

import org.ffnfuse.graph.ir.Graph;

/** A graph transformation: matches read-only, then rewrites through one {@link org.ffnfuse.graph.ir.Rewriter}. */
public interface Pass {
  /** Short name, e.g. {@code FfnFusion}. */
  String name();

  /** Runs on {@code g} (unchanged) and returns the result with a report. */
  PassResult run(Graph g);
}

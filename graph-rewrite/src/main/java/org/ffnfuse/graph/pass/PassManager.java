package org.ffnfuse.graph.pass;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.GraphVerifier;

/** Runs passes in order, verifying the graph after each ({@link GraphVerifier#verify}). */
public final class PassManager {
  private static final Logger LOG = Logger.getLogger(PassManager.class.getName());

  private final List<Pass> passes;

  private PassManager(List<Pass> passes) {
    this.passes = List.copyOf(passes);
  }

  public static PassManager of(Pass... passes) {
    return new PassManager(List.of(passes));
  }

  /** The final graph and each pass's report, in order. */
  public record Outcome(Graph graph, List<String> reports) {
    public Outcome {
      reports = List.copyOf(reports);
    }
  }

  /**
   * Runs every pass.
   *
   * @throws IllegalStateException if a pass leaves an invalid graph (a bug in that pass), naming it
   */
  public Outcome run(Graph g) {
    List<String> reports = new ArrayList<>();
    Graph cur = g;
    for (Pass p : passes) {
      PassResult r = p.run(cur);
      GraphVerifier.verify(r.graph(), p.name());
      LOG.info(r.report());
      reports.add(r.report());
      cur = r.graph();
    }
    return new Outcome(cur, reports);
  }
}

package org.ffnfuse.converters.heal;

import java.io.IOException;

/**
 * A trainer for {@code --method distill}, found with {@link java.util.ServiceLoader} so that the core jar stays free of
 * training libraries: the optional module {@code ffnfuse-heal-tensorflow} (folder {@code converters/heal-tensorflow},
 * built with {@code mvn -Pheal package}) provides one on TensorFlow Java. Implementations need a public no-argument
 * constructor and a {@code META-INF/services/org.ffnfuse.converters.heal.DistillationBackend} entry.
 *
 * <p>The task: starting from {@link DistillationProblem#initial()}, train the fused FFN's gate, up and down projections
 * (fp32; the norm stays fixed) to minimize {@code Σ‖y − x − F(x)‖² / Σ‖y − x‖²} over the training tokens with Adam on
 * seeded mini-batches, stopping early when the held-out loss stops improving, and return the parameters that did best
 * on the held-out tokens.
 */
public interface DistillationBackend {
  /** Short name for reports, e.g. {@code tensorflow 2.18.0}. */
  String name();

  /**
   * Trains one fused block.
   *
   * @throws IOException if the backend fails (native library, out of memory in the runtime)
   */
  DistillationResult distill(DistillationProblem problem) throws IOException;
}

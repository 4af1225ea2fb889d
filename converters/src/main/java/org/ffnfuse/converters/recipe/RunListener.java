package org.ffnfuse.converters.recipe;

/**
 * Hears a run's steps as they happen, for progress bars. In the order they can occur, steps are named
 * {@code export-original} (a checkpoint exported for ONNX Runtime), {@code analysis-graph} (the instrumented graph
 * built and opened), {@code rank-attention} ({@code drop_attention.auto}'s passes), {@code drop-attention},
 * {@code export-stage}, {@code analyze} (the calibration passes), {@code plan}, {@code analysis-report}, {@code fuse}
 * (or {@code write} when nothing is fused), {@code export-fused}, {@code verify}, {@code bench} and {@code report}.
 * Called from the thread that runs the recipe, one step at a time; every method does nothing by default.
 */
public interface RunListener {
  /** A listener that ignores everything. */
  RunListener NONE = new RunListener() {};

  /**
   * A step begins.
   *
   * @param total units of work it will report through {@link #stepProgress} (windows, timed runs), or 0 when it
   *     reports none (an export or a write: only its elapsed time is known)
   */
  default void stepStarted(String step, long total) {}

  /** The current step has done {@code done} of its units. */
  default void stepProgress(long done) {}

  /** The current step ended (successfully) after {@code seconds}. */
  default void stepFinished(String step, double seconds) {}
}

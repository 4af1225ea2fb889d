package org.ffnfuse.converters.recipe;

/**
 * Hears a run's steps as they happen, for progress bars. Steps are named {@code drop-attention}, {@code analyze},
 * {@code plan}, {@code fuse}, {@code export-original}, {@code export-fused}, {@code verify}, {@code bench},
 * {@code report}. Called from the thread that runs the recipe; every method does nothing by default.
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

package org.ffnfuse.converters.batch;

import org.ffnfuse.converters.recipe.RunListener;

/**
 * Hears a batch as it runs, for progress bars. Called from the worker threads, concurrently: implementations must be
 * thread-safe. Every method does nothing by default.
 */
public interface BatchListener {
  /** A listener that ignores everything. */
  BatchListener NONE = new BatchListener() {};

  /** The batch found {@code models} models, of which {@code toRun} need running; called before any other method. */
  default void batchStarted(int models, int toRun) {}

  /** The listener for {@code model}'s run steps. */
  default RunListener jobListener(ZooModel model) {
    return RunListener.NONE;
  }

  /** {@code model} was not run: its output exists (skipped, or failed if it does not check). */
  default void jobSkipped(ZooModel model, BatchEntry entry) {}

  /**
   * {@code model}'s existing output is out of date ({@code why}: the recipe, its input or ffnfuse changed) and was
   * deleted; the model runs again.
   */
  default void jobStale(ZooModel model, String why) {}

  /** {@code model} ran (or failed trying). */
  default void jobFinished(ZooModel model, BatchEntry entry) {}
}

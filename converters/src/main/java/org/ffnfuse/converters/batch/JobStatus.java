package org.ffnfuse.converters.batch;

/** How one model of a batch ended. */
public enum JobStatus {
  /** Ran now; every verify threshold held. */
  DONE,
  /** Ran now and wrote its output, but a verify threshold was exceeded (see its summary.md). */
  CHECKS_FAILED,
  /** Its output was already complete (SHA256SUMS present and matching): not run again. */
  SKIPPED,
  /** Failed; nothing was written for it, and the next batch run tries it again. */
  FAILED
}

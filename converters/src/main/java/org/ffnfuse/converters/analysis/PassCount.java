package org.ffnfuse.converters.analysis;

/**
 * Forward passes of a calibration run, as counted by {@link AnalysisModel#passes()}.
 *
 * @param perBatch gate settings run on every batch: 1 (intact) + one per block (block matrix) + one per FFN (FFN
 *     matrix) + one per attention branch (attention importance), as requested
 * @param batches batches of windows
 * @param total session runs: {@code perBatch · batches}
 */
public record PassCount(int perBatch, int batches, long total) {}

package org.ffnfuse.converters.analysis;

/**
 * Where chains may lie: an attention-free run of blocks {@code runFirst..runLast}, optionally preceded by the block
 * before it (whose FFN follows its own attention, so it can still start a chain), and without the run's last FFN
 * unless asked.
 *
 * @param first first block a chain may start at ({@code runFirst − 1} when that block has an FFN)
 * @param last last block a chain may end at ({@code runLast}, or {@code runLast − 1} leaving the last FFN out)
 * @param runFirst first attention-free block
 * @param runLast last attention-free block
 */
public record PlanRegion(int first, int last, int runFirst, int runLast) {}

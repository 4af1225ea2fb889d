package org.ffnfuse.converters.analysis;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a calibration run measured.
 *
 * @param model the analysed model, as named by the user
 * @param attention per block, whether it has attention
 * @param ffn per block, whether it has an FFN
 * @param blockMatrix {@code M[i][j]} (i &lt; j): mean cosine distance between block j's contribution intact and with
 *     block i skipped; {@code NaN} elsewhere
 * @param ffnMatrix the same for FFN j's output with FFN i skipped (rows/columns of blocks without FFN undefined)
 * @param profiles per branch, {@code cos(x, x+h)} and {@code ‖h‖/‖x‖}
 * @param attentionKl per block with attention, mean KL(intact ‖ attention removed) of the next-token distribution
 *     (nats per token)
 * @param blockKl per block, mean KL(intact ‖ block skipped), measured by the block-matrix passes
 * @param ffnKl per block with an FFN, mean KL(intact ‖ FFN skipped), measured by the FFN-matrix passes
 * @param passes forward passes run
 * @param tokens calibration tokens per pass (windows × window length, BOS included)
 * @param statisticTokens tokens the hidden-state statistics averaged over (BOS positions excluded)
 * @param windows calibration windows
 * @param windowLength tokens per window (BOS included)
 * @param analysisSeconds wall time of the calibration passes
 * @param plainForwardSeconds wall time of one plain forward pass of the original model over the same windows and
 *     batches ({@code NaN} if not measured)
 */
public record AnalysisResult(String model, List<Boolean> attention, List<Boolean> ffn,
    Optional<BlockMatrix> blockMatrix, Optional<BlockMatrix> ffnMatrix, List<BranchProfile> profiles,
    SortedMap<Integer, Double> attentionKl, SortedMap<Integer, Double> blockKl, SortedMap<Integer, Double> ffnKl,
    PassCount passes, long tokens, long statisticTokens, int windows, int windowLength, double analysisSeconds,
    double plainForwardSeconds) {
  public AnalysisResult {
    attention = List.copyOf(attention);
    ffn = List.copyOf(ffn);
    profiles = List.copyOf(profiles);
    attentionKl = Collections.unmodifiableSortedMap(new TreeMap<>(attentionKl));
    blockKl = Collections.unmodifiableSortedMap(new TreeMap<>(blockKl));
    ffnKl = Collections.unmodifiableSortedMap(new TreeMap<>(ffnKl));
  }

  /** Number of blocks. */
  public int blocks() {
    return attention.size();
  }

  /** This result with the plain forward time set. */
  public AnalysisResult withPlainForwardSeconds(double s) {
    return new AnalysisResult(model, attention, ffn, blockMatrix, ffnMatrix, profiles, attentionKl, blockKl, ffnKl,
        passes, tokens, statisticTokens, windows, windowLength, analysisSeconds, s);
  }
}

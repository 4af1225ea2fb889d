package org.ffnfuse.converters.heal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ffnfuse.converters.fuse.CheckpointOutput;

/**
 * A fused model being healed: its blocks' FFNs read into heap, and the model written again with some of them replaced,
 * in the same format and structure. {@link #close()} is idempotent.
 */
interface FusedModel extends AutoCloseable {
  /**
   * Opens a nemotron-nas checkpoint folder or an {@code .onnx} file.
   *
   * @throws IllegalArgumentException if {@code path} is neither
   */
  static FusedModel open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return CheckpointFusedModel.open(path);
    }
    if (Files.isRegularFile(path) && CheckpointOutput.isOnnx(path)) {
      return OnnxFusedModel.open(path);
    }
    throw new IllegalArgumentException(path + ": expected a fused checkpoint folder or an .onnx file");
  }

  /** Whether the model is an ONNX file (else a checkpoint folder). */
  boolean isOnnx();

  /** Number of blocks. */
  int blockCount();

  /** Intermediate width of block {@code index}'s FFN, or 0 if it has none. */
  long ffnWidth(int index);

  /**
   * Block {@code index}'s norm and FFN in heap.
   *
   * @param memberWidths widths of the FFNs fused into it, in chain order
   * @throws IllegalArgumentException if the block has no FFN of a supported kind
   */
  FusedBlockParameters block(int index, List<Long> memberWidths) throws IOException;

  /** Writes the model with the FFN projections of the given blocks replaced to {@code output}, atomically. */
  void write(Map<Integer, FusedBlockParameters> healed, Path output) throws IOException;

  @Override
  void close() throws IOException;
}

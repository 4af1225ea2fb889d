package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.converters.export.model.NormWeights;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.converters.fuse.NemotronNasCheckpointWriter;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.graph.fusion.NormParams;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;

/**
 * A fused checkpoint folder (nemotron-nas, as {@code ffnfuse fuse} writes it), healed blocks written back through
 * {@link NemotronNasCheckpointWriter}: same config, shapes, dtype and sharding; only the healed FFNs' tensors change.
 */
final class CheckpointFusedModel implements FusedModel {
  private final Path dir;
  private final ModelConfig config;
  private final SafetensorsCheckpoint checkpoint;
  private final ExportModel model;
  private boolean closed;

  private CheckpointFusedModel(Path dir, ModelConfig config, SafetensorsCheckpoint checkpoint, ExportModel model) {
    this.dir = dir;
    this.config = config;
    this.checkpoint = checkpoint;
    this.model = model;
  }

  static CheckpointFusedModel open(Path dir) throws IOException {
    ModelConfig config = HfConfigReader.read(dir);
    NemotronNasCheckpointWriter.unsupported(config).ifPresent(why -> {
      throw new IllegalArgumentException(dir + ": healed checkpoints are written as nemotron-nas, and " + why);
    });
    SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(dir);
    try {
      return new CheckpointFusedModel(dir, config, ck, OnnxExporter.load(config, ck));
    } catch (IOException | RuntimeException e) {
      ck.close();
      throw e;
    }
  }

  @Override
  public boolean isOnnx() {
    return false;
  }

  @Override
  public int blockCount() {
    return config.numLayers();
  }

  @Override
  public long ffnWidth(int index) {
    return model.blocks().get(index).ffn().map(FfnWeights::width).orElse(0L);
  }

  @Override
  public FusedBlockParameters block(int index, List<Long> memberWidths) throws IOException {
    checkState(!closed, "closed");
    BlockWeights w = model.blocks().get(index);
    NormWeights n = w.ffnNorm().orElseThrow(() -> new IllegalArgumentException("block " + index + " of " + dir
        + " has no norm before its FFN"));
    FfnWeights f = w.ffn().orElseThrow(() -> new IllegalArgumentException("block " + index + " of " + dir
        + " has no FFN"));
    checkArgument(!f.up().inputMajor() && !f.down().inputMajor(), "block %s: expected [out, in] weights", index);
    NormKind kind = switch (config.norm().kind()) {
      case RMS -> NormKind.RMS_NORM;
      case LAYER -> NormKind.LAYER_NORM;
    };
    NormParams norm = new NormParams(kind, config.norm().eps(), n.weight(), (float) config.norm().weightOffset(),
        n.bias());
    Activation act = switch (config.activation()) {
      case SILU -> Activation.SILU;
      case GELU -> Activation.GELU;
      case GELU_TANH -> Activation.GELU_TANH;
      case RELU -> Activation.RELU;
    };
    org.ffnfuse.graph.fusion.FfnWeights ffn = new org.ffnfuse.graph.fusion.FfnWeights(act, Orientation.OUT_IN,
        f.gate().map(Linear::weight), f.up().weight(), f.down().weight(), f.gate().flatMap(Linear::bias),
        f.up().bias(), f.down().bias());
    return FusedBlockParameters.read(norm, ffn, memberWidths);
  }

  @Override
  public void write(Map<Integer, FusedBlockParameters> healed, Path output) throws IOException {
    checkState(!closed, "closed");
    checkArgument(!CheckpointOutput.isOnnx(output), "a fused checkpoint heals into a checkpoint folder, not %s",
        output);
    DType dtype = config.dtype();
    List<BlockWeights> blocks = new ArrayList<>(model.blocks());
    for (Map.Entry<Integer, FusedBlockParameters> e : healed.entrySet()) {
      BlockWeights old = blocks.get(e.getKey());
      org.ffnfuse.graph.fusion.FfnWeights f = e.getValue().toFfnWeights(DType.F32, Orientation.OUT_IN);
      FfnWeights ffn = new FfnWeights(f.gate().map(g -> new Linear(g, false, f.gateBias())),
          new Linear(f.up(), false, f.upBias()), new Linear(f.down(), false, f.downBias()));
      BlockWeights.Builder b = BlockWeights.builder();
      old.attentionNorm().ifPresent(b::attentionNorm);
      old.attention().ifPresent(b::attention);
      old.linearAttention().ifPresent(b::linearAttention);
      old.postAttentionNorm().ifPresent(b::postAttentionNorm);
      old.ffnNorm().ifPresent(b::ffnNorm);
      b.ffn(ffn);
      old.linearFfn().ifPresent(b::linearFfn);
      old.postFfnNorm().ifPresent(b::postFfnNorm);
      blocks.set(e.getKey(), b.build());
    }
    ExportModel out = model.withBlocks(config, blocks);
    NemotronNasCheckpointWriter.write(out, dir, output, dtype, CheckpointOutput.shardSizeOf(checkpoint));
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      checkpoint.close();
    }
  }
}

package org.ffnfuse.converters.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Fp16Overflow;
import org.ffnfuse.graph.fusion.FfnFusionPass;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * The fusion entry point for every input kind: a checkpoint folder (fused on its weights, then written as a
 * nemotron-nas folder or ONNX) or an ONNX file (fused in the graph).
 */
public final class Fusion {
  private Fusion() {}

  /**
   * Fuses {@code plan} in {@code input} and writes {@code output}: a folder (nemotron-nas checkpoint; checkpoint input
   * only) or a file ending in {@code .onnx}.
   *
   * @param dtype {@code same}, {@code fp32}, {@code fp16} or {@code bf16}
   * @param keepPlaceholders keep fused-away blocks as no-op blocks (checkpoint output)
   * @throws IllegalArgumentException if the plan does not apply (nothing is written)
   */
  public static void fuse(Path input, FusionPlan plan, Path output, String dtype, boolean keepPlaceholders)
      throws IOException {
    fuse(input, plan, output, dtype, keepPlaceholders, Fp16Overflow.ERROR);
  }

  /**
   * {@link #fuse(Path, FusionPlan, Path, String, boolean)} with a choice for weights beyond fp16's range.
   *
   * @param fp16Overflow with fp16 output, what a finite weight beyond ±65504 does: fail naming the tensor (a
   *     {@link org.ffnfuse.formats.ModelFormatException}; nothing is written) or clamp
   */
  public static void fuse(Path input, FusionPlan plan, Path output, String dtype, boolean keepPlaceholders,
      Fp16Overflow fp16Overflow) throws IOException {
    if (Files.isDirectory(input)) {
      ModelConfig config = HfConfigReader.read(input);
      boolean onnx = CheckpointOutput.isOnnx(output);
      DType out = CheckpointOutput.dtype(dtype, config.dtype(), onnx);
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(input)) {
        ExportModel model = OnnxExporter.load(config, ck);
        ExportModel fused = ModelFusion.fuse(model, plan, out, keepPlaceholders);
        CheckpointOutput.write(fused, input, output, out, CheckpointOutput.shardSizeOf(ck), fp16Overflow);
      }
      return;
    }
    if (CheckpointOutput.isOnnx(input)) {
      if (!CheckpointOutput.isOnnx(output)) {
        throw new IllegalArgumentException("an ONNX input gives ONNX output: name the output *.onnx");
      }
      if (keepPlaceholders) {
        throw new IllegalArgumentException("--keep-placeholders keeps layer numbers of a checkpoint; an ONNX graph"
            + " has none to keep (drop the option)");
      }
      OnnxFusion.fuse(input, plan, output, new FfnFusionPass.Options(false, OnnxFusion.weightType(dtype)),
          fp16Overflow);
      return;
    }
    throw new IllegalArgumentException(input + ": expected a checkpoint folder (config.json + *.safetensors) or an"
        + " .onnx file");
  }
}

package org.ffnfuse.converters.export;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.ffnfuse.converters.export.families.FamilyLayout;
import org.ffnfuse.converters.export.families.TensorLookup;
import org.ffnfuse.converters.export.graph.TransformerGraph;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;

/**
 * Exports a Hugging Face checkpoint (safetensors + config.json) of any supported family to an ONNX model that ONNX
 * Runtime runs, using only operators of {@link CudaOperators}.
 *
 * <p>Weights stream from the checkpoint into the external data file one tensor at a time, transposed to MatMul's
 * {@code [in, out]} and converted (bf16 → fp32/fp16) block by block as they are written; at most one block of one
 * tensor is in heap. The output is written under a temporary name and renamed when complete.
 */
public final class OnnxExporter {
  private static final Logger LOG = Logger.getLogger(OnnxExporter.class.getName());
  /** Unused tensors named in one message; the rest are counted. */
  private static final int MAX_NAMED_TENSORS = 8;

  private OnnxExporter() {}

  /**
   * Exports {@code checkpointDir} to {@code outOnnx}.
   *
   * @throws ModelFormatException if config.json is unsupported or invalid, or a tensor is missing or misshapen (the
   *     message names file and tensor); nothing is written then
   */
  public static ExportResult export(Path checkpointDir, Path outOnnx, ExportOptions options) throws IOException {
    checkNotNull(outOnnx);
    checkNotNull(options);
    ModelConfig config = HfConfigReader.read(checkpointDir); // fails on an unsupported model_type before any work
    try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(checkpointDir)) {
      ExportModel model = load(config, checkpoint);
      return export(model, outOnnx, options);
    }
  }

  /**
   * The export description of an open checkpoint (lazy: tensors are read only when written).
   *
   * @throws ModelFormatException if a tensor the config implies is missing or misshapen, or the checkpoint holds
   *     tensors the config does not use (the message names them)
   */
  public static ExportModel load(ModelConfig config, SafetensorsCheckpoint checkpoint) throws ModelFormatException {
    FamilyLayout layout = FamilyLayout.forConfig(config);
    TensorLookup tensors = TensorLookup.of(checkpoint, config.family().modelType());
    ExportModel model = layout.load(config, tensors);
    checkAllUsed(checkpoint, tensors.used(), layout, config);
    return model;
  }

  /**
   * Refuses a checkpoint with tensors the model does not use (a layer past {@code num_hidden_layers}, a bias the
   * config does not enable): dropping them silently would export a different model than the weights describe.
   */
  private static void checkAllUsed(SafetensorsCheckpoint checkpoint, Set<String> used, FamilyLayout layout,
      ModelConfig config) throws ModelFormatException {
    List<String> unused = checkpoint.names().stream()
        .filter(n -> !used.contains(n) && !layout.isDerivedBuffer(n)).toList();
    if (unused.isEmpty()) {
      return;
    }
    int shown = Math.min(unused.size(), MAX_NAMED_TENSORS);
    String names = unused.subList(0, shown).stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
        + (unused.size() > shown ? " and " + (unused.size() - shown) + " more" : "");
    throw new ModelFormatException(checkpoint.path(), unused.size() + " tensor" + (unused.size() == 1 ? " is" : "s are")
        + " not used by the " + config.family().modelType() + " model config.json describes (" + config.numLayers()
        + " layers): " + names + "; ignoring them would change the model. Fix config.json (layer count, bias flags,"
        + " tie_word_embeddings) or remove the tensors");
  }

  /** Exports an in-memory model description (e.g. one whose blocks a fusion pass replaced). */
  public static ExportResult export(ExportModel model, Path outOnnx, ExportOptions options) throws IOException {
    TransformerGraph.Built built = build(model, options);
    List<String> unsupported = CudaOperators.unsupported(built.proto());
    if (!unsupported.isEmpty()) {
      throw new IllegalStateException("exporter produced operators the CUDA EP lacks: " + unsupported);
    }
    OnnxModelWriter.write(built.proto(), built.tensorData(), outOnnx, options.write());
    LOG.fine(() -> String.format("exported %s: %d nodes, %d initializers", outOnnx,
        built.proto().getGraph().getNodeCount(), built.proto().getGraph().getInitializerCount()));
    return new ExportResult(outOnnx, built.proto().getGraph().getNodeCount(),
        built.proto().getGraph().getInitializerCount(), built.operators());
  }

  /** The graph alone (initializers without data) and the weight data, without writing. */
  public static TransformerGraph.Built build(ExportModel model, ExportOptions options) {
    return TransformerGraph.build(model, options.weightType(), options.kvCache(), options.positionIds());
  }

  /** The graph proto of {@link #build}. */
  static ModelProto proto(ExportModel model, ExportOptions options) {
    return build(model, options).proto();
  }
}

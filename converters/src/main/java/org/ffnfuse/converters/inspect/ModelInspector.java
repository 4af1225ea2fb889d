package org.ffnfuse.converters.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;
import org.ffnfuse.graph.pass.FunctionInlining;
import org.ffnfuse.graph.structure.ModelSummary;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/** The block structure of a checkpoint folder or an ONNX file, as one {@link ModelSummary}. */
public final class ModelInspector {
  private ModelInspector() {}

  /**
   * Summarizes {@code model}: a checkpoint folder (config.json + safetensors) or an {@code .onnx} file. Reads no
   * weights (ONNX external data is not even opened beyond validation). Calls of model-local functions (a fused
   * model's {@code FusedFFN}) are inlined first, so a fused FFN shows as one wide FFN.
   *
   * @throws UnrecognizedModelException if the ONNX graph is not a transformer FFNFuse recognizes (with the node where
   *     recognition stopped)
   * @throws ModelFormatException if the files are invalid
   * @throws IllegalArgumentException if {@code model} is neither a folder nor an {@code .onnx} file
   */
  public static ModelSummary inspect(Path model) throws IOException {
    if (Files.isDirectory(model)) {
      ModelConfig config = HfConfigReader.read(model);
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(model)) {
        return CheckpointSummary.of(config, OnnxExporter.load(config, ck), ck);
      }
    }
    if (!model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      throw new IllegalArgumentException(model + ": expected a checkpoint folder (config.json + *.safetensors) or an"
          + " .onnx file");
    }
    Graph g;
    try (OnnxModel m = OnnxModel.open(model)) {
      g = Graph.of(m.proto());
    } catch (InvalidGraphException e) {
      throw new ModelFormatException(model, e.getMessage(), e);
    }
    if (g.model().getFunctionsCount() > 0) {
      try {
        g = new FunctionInlining().run(g).graph(); // e.g. ai.ffnfuse.FusedFFN: recognized by its operators
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(model, "cannot inline its model-local functions: " + e.getMessage(), e);
      }
    }
    try {
      return ModelSummary.of(TransformerStructure.recognize(g), g);
    } catch (UnrecognizedGraphException e) {
      throw new UnrecognizedModelException(model, e);
    }
  }
}

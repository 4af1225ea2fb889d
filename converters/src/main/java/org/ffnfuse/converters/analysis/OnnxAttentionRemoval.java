package org.ffnfuse.converters.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.analysis.BranchRemoval;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/**
 * {@code drop-attention} for ONNX input: removes the attention branch of chosen blocks in the graph ({@link
 * BranchRemoval}: the residual add becomes the identity, KV-cache inputs/outputs of removed attention are dropped)
 * and writes the result with the remaining weights as external data.
 */
public final class OnnxAttentionRemoval {
  private OnnxAttentionRemoval() {}

  /**
   * Removes attention from {@code blocks} of {@code input} and writes {@code output} (atomically).
   *
   * @return what was removed
   * @throws ModelFormatException if the graph is invalid or not a recognized transformer
   */
  public static BranchRemoval.Result remove(Path input, Set<Integer> blocks, Path output) throws IOException {
    try (OnnxModel m = OnnxModel.open(input)) {
      BranchRemoval.Result r;
      try {
        Graph g = Graph.of(m.proto(), m::initializer);
        r = BranchRemoval.remove(g, TransformerStructure.recognize(g), blocks, Set.of());
      } catch (InvalidGraphException | UnrecognizedGraphException e) {
        throw new ModelFormatException(input, e.getMessage(), e);
      }
      ExportedModel e = r.graph().export();
      Map<String, Tensor> data = new HashMap<>(e.newTensors());
      for (var t : e.model().getGraph().getInitializerList()) {
        if (!data.containsKey(t.getName()) && m.isExternal(t.getName())) {
          data.put(t.getName(), m.initializer(t.getName()));
        }
      }
      OnnxModelWriter.write(e.model(), data, output,
          org.ffnfuse.formats.onnx.OnnxWriteOptions.defaults().withManifest(true));
      return r;
    }
  }
}

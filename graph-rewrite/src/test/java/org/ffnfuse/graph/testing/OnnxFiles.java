package org.ffnfuse.graph.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;

/**
 * Test-only ONNX file access for graph-rewrite tests (main code there does no file I/O): models are read with the
 * formats module's {@link OnnxModel} and written with {@link OnnxModelWriter}, as the converters module does.
 */
public final class OnnxFiles {
  private OnnxFiles() {}

  /** An open model and its graph, whose initializer data (external data included) is read from the model. */
  public record Opened(OnnxModel model, Graph graph) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      model.close();
    }
  }

  /** Opens {@code file}; close the result when done reading tensors. */
  public static Opened open(Path file) throws IOException, InvalidGraphException {
    OnnxModel m = OnnxModel.open(file);
    try {
      return new Opened(m, Graph.of(m.proto(), m::initializer));
    } catch (InvalidGraphException | RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** The graph of {@code file} for structure tests: headers and embedded data only (external data is not read). */
  public static Graph graph(Path file) throws IOException, InvalidGraphException {
    try (OnnxModel m = OnnxModel.open(file)) {
      return Graph.of(m.proto());
    }
  }

  /**
   * Writes {@code g} to {@code out} (external data beside it): initializers added by rewrites and those {@code source}
   * keeps in external data are streamed, the rest stays in the proto.
   */
  public static Path write(Graph g, OnnxModel source, Path out) throws IOException {
    ExportedModel e = g.export();
    Map<String, Tensor> data = new LinkedHashMap<>(e.newTensors());
    for (var t : e.model().getGraph().getInitializerList()) {
      if (!data.containsKey(t.getName()) && source.findInitializer(t.getName()).isPresent()
          && source.isExternal(t.getName())) {
        data.put(t.getName(), source.initializer(t.getName()));
      }
    }
    OnnxModelWriter.write(e.model(), data, out);
    return out;
  }
}

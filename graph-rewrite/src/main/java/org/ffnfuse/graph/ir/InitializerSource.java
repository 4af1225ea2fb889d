package org.ffnfuse.graph.ir;

import java.io.IOException;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Supplies initializer data as lazy tensors. The caller that opened the model (e.g. the formats module's ONNX reader,
 * which knows where external data lives) provides it; the graph IR itself never reads files.
 */
@FunctionalInterface
public interface InitializerSource {
  /**
   * The data of initializer {@code name}.
   *
   * @throws IOException if the data cannot be read (missing external file, short read)
   */
  Tensor tensor(String name) throws IOException;
}

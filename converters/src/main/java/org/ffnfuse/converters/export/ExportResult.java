package org.ffnfuse.converters.export;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param model the .onnx file
 * @param nodes number of graph nodes
 * @param initializers number of initializers (weights and constants)
 * @param operators the operator types used, sorted
 */
public record ExportResult(Path model, int nodes, int initializers, List<String> operators) {
  public ExportResult {
    operators = List.copyOf(operators);
  }
}

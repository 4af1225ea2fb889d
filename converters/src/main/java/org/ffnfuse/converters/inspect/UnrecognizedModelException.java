package org.ffnfuse.converters.inspect;

import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.structure.Diagnosis;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/** An ONNX file whose graph is not a transformer FFNFuse recognizes; {@link #diagnosis()} says where and why. */
public final class UnrecognizedModelException extends ModelFormatException {
  private static final long serialVersionUID = 1L;

  private final transient Diagnosis diagnosis;

  UnrecognizedModelException(Path file, UnrecognizedGraphException cause) {
    super(file, "not a transformer FFNFuse recognizes: the residual-stream walk stopped " + cause.diagnosis(),
        cause);
    this.diagnosis = cause.diagnosis();
  }

  /** The node where recognition stopped and what was wrong there. */
  public Diagnosis diagnosis() {
    return diagnosis;
  }
}

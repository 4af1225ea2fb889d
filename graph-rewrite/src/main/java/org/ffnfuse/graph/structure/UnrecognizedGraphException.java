package org.ffnfuse.graph.structure;

/**
 * The graph is not a transformer language model FFNFuse can recognize. Checked: the model is at fault (or
 * unsupported), not the caller. The {@link #diagnosis()} names the node where recognition stopped.
 */
public class UnrecognizedGraphException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Diagnosis diagnosis;

  public UnrecognizedGraphException(Diagnosis diagnosis) {
    super("transformer structure not recognized " + diagnosis);
    this.diagnosis = diagnosis;
  }

  public Diagnosis diagnosis() {
    return diagnosis;
  }
}

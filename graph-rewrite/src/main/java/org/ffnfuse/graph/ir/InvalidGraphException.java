package org.ffnfuse.graph.ir;

/**
 * An ONNX graph breaks the rules the IR relies on: a value produced twice, an input that nothing produces, a cycle.
 * Checked, because the model file is at fault; the caller that knows the file adds its name.
 */
public class InvalidGraphException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidGraphException(String message) {
    super(message);
  }
}

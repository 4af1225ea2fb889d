package org.ffnfuse.converters.eval;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What an {@link OrtException} means for the user: ONNX Runtime ran out of a resource (memory, the GPU), or it rejected
 * the model (a graph it cannot load or run). ONNX Runtime's messages do not say which file they are about; {@link
 * #naming} adds it where a session is created or run.
 */
public final class OrtErrors {
  private OrtErrors() {}

  /** The two kinds of ONNX Runtime failure the CLI tells apart (exit codes 4 and 3). */
  public enum Kind {
    /** Memory or the device exhausted or failing: retry with more, or with smaller inputs. */
    RESOURCE,
    /** The model (its graph, its external data, or an input built for it) is not one ONNX Runtime accepts. */
    REJECTED
  }

  /** The kind of {@code e}, from its error code and, for allocation failures, its message. */
  public static Kind kind(OrtException e) {
    OrtErrorCode c = e.getCode();
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    boolean memory = m.contains("allocate") || m.contains("bad_alloc") || m.contains("out of memory");
    boolean device = c == OrtErrorCode.ORT_EP_FAIL || c == OrtErrorCode.ORT_DEVICE_RESET;
    return memory || device ? Kind.RESOURCE : Kind.REJECTED;
  }

  /** ONNX Runtime's message without its {@code Error code - ORT_X - message:} prefix. */
  public static String message(OrtException e) {
    String m = String.valueOf(e.getMessage());
    int at = m.indexOf(" - message: ");
    return (m.startsWith("Error code - ") && at > 0 ? m.substring(at + " - message: ".length()) : m).strip();
  }

  /** {@code e} with {@code model} in front of its message (and {@code e} as its cause), the code kept. */
  public static OrtException naming(Path model, OrtException e) {
    if (message(e).startsWith(model + ": ")) {
      return e;
    }
    OrtException named = new OrtException(e.getCode(), model + ": " + message(e));
    named.initCause(e);
    return named;
  }
}

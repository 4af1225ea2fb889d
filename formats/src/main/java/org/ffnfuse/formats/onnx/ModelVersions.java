package org.ffnfuse.formats.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;

/**
 * The version fields {@code onnx.checker} requires of a model: an {@code ir_version} this reader knows and an
 * {@code opset_import} for the default ONNX domain. Without them operators cannot be given a meaning.
 */
final class ModelVersions {
  /** IR 3 (ONNX 1.2) introduced {@code opset_import}; older files cannot say which operators they mean. */
  static final long MIN_IR_VERSION = 3;
  /** IR 12 is ONNX 1.19's; newer IR versions may add fields this reader would silently drop. */
  static final long MAX_IR_VERSION = 12;

  private ModelVersions() {}

  /** Refuses {@code proto} (read from {@code file}) if its IR version is unknown or it imports no ONNX opset. */
  static void check(Path file, ModelProto proto) throws ModelFormatException {
    long ir = proto.getIrVersion();
    if (ir < MIN_IR_VERSION || ir > MAX_IR_VERSION) {
      throw new ModelFormatException(file, String.format("ir_version %d is %s (supported: %d..%d, ONNX 1.2 to"
          + " 1.19); %s", ir, ir > MAX_IR_VERSION ? "newer than this reader knows" : "missing or too old",
          MIN_IR_VERSION, MAX_IR_VERSION, ir > MAX_IR_VERSION ? "save the model with an older onnx"
              : "re-export the model with a current exporter"));
    }
    for (OperatorSetIdProto o : proto.getOpsetImportList()) {
      if (isDefaultDomain(o.getDomain())) {
        if (o.getVersion() <= 0) {
          throw new ModelFormatException(file, "opset_import for the default ONNX domain has version "
              + o.getVersion() + "; expected a positive opset version");
        }
        return;
      }
    }
    throw new ModelFormatException(file, "opset_import has no entry for the default ONNX domain ('' or 'ai.onnx')"
        + " (found " + proto.getOpsetImportCount() + " entries); without it no operator has a meaning, so the model"
        + " is invalid (onnx.checker refuses it too)");
  }

  /** Whether {@code domain} names the standard operators. */
  static boolean isDefaultDomain(String domain) {
    return domain.isEmpty() || domain.equals("ai.onnx");
  }
}

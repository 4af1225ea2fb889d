package org.ffnfuse.formats.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.OptionalLong;
import org.ffnfuse.formats.onnx.TensorProtos.InvalidTensorException;

/**
 * A tensor's {@code external_data} entries: {@code location} relative to the model's folder, byte {@code offset}
 * (default 0) and {@code length} (optional; then the tensor's own size). Other keys ({@code checksum}) are ignored.
 */
record ExternalDataRef(String location, long offset, OptionalLong length) {
  static final String LOCATION = "location";
  static final String OFFSET = "offset";
  static final String LENGTH = "length";

  /** Parses the entries of an external tensor. */
  static ExternalDataRef of(TensorProto t) throws InvalidTensorException {
    String location = null;
    long offset = 0;
    OptionalLong length = OptionalLong.empty();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case LOCATION -> location = e.getValue();
        case OFFSET -> offset = parseCount(t, OFFSET, e.getValue());
        case LENGTH -> length = OptionalLong.of(parseCount(t, LENGTH, e.getValue()));
        default -> { } // checksum and future keys: not needed to locate the bytes
      }
    }
    if (location == null || location.isEmpty()) {
      throw new InvalidTensorException(String.format(
          "initializer '%s': data_location is EXTERNAL but external_data has no 'location' entry", t.getName()));
    }
    return new ExternalDataRef(location, offset, length);
  }

  private static long parseCount(TensorProto t, String key, String value) throws InvalidTensorException {
    try {
      long v = Long.parseLong(value.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidTensorException(String.format(
        "initializer '%s': external_data '%s' is '%s', expected a byte count ≥ 0", t.getName(), key, value));
  }
}

package org.ffnfuse.formats.safetensors;

import static org.ffnfuse.formats.safetensors.SafetensorsHeaderLayout.METADATA_KEY;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors headers exactly as the reference implementation (Rust {@code serde_json}) does: compact JSON,
 * entry fields in the order dtype, shape, data_offsets, non-ASCII characters as raw UTF-8, control characters escaped,
 * padded with spaces to a multiple of 8 bytes. Being byte-identical to it is what makes read → write round trips
 * reproduce files written by PyTorch and transformers.
 */
final class HeaderJson {
  private HeaderJson() {}

  /**
   * The header bytes (without the 8-byte length).
   *
   * @param keyOrder top-level keys: tensor names and optionally {@value SafetensorsHeaderLayout#METADATA_KEY}
   * @param entries every tensor named in {@code keyOrder}, with offsets relative to the data section
   * @param minLength pad with spaces up to this many bytes when the JSON is shorter; otherwise pad to a multiple of 8
   */
  static byte[] encode(List<String> keyOrder, Map<String, String> metadata,
      Map<String, SafetensorsHeader.Entry> entries, long minLength) {
    StringBuilder sb = new StringBuilder(64 + 96 * keyOrder.size());
    sb.append('{');
    boolean first = true;
    for (String key : keyOrder) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      appendString(sb, key);
      sb.append(':');
      if (key.equals(METADATA_KEY)) {
        appendMetadata(sb, metadata);
      } else {
        SafetensorsHeader.Entry e = entries.get(key);
        sb.append("{\"dtype\":");
        appendString(sb, e.dtype().safetensorsName());
        sb.append(",\"shape\":[");
        long[] dims = e.shape().toArray();
        for (int i = 0; i < dims.length; i++) {
          sb.append(i == 0 ? "" : ",").append(dims[i]);
        }
        sb.append("],\"data_offsets\":[").append(e.begin()).append(',').append(e.end()).append("]}");
      }
    }
    sb.append('}');
    byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
    long padded = json.length >= minLength ? json.length + (8 - json.length % 8) % 8 : minLength;
    byte[] out = Arrays.copyOf(json, Math.toIntExact(padded));
    Arrays.fill(out, json.length, out.length, (byte) ' ');
    return out;
  }

  private static void appendMetadata(StringBuilder sb, Map<String, String> metadata) {
    sb.append('{');
    boolean first = true;
    for (var e : metadata.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      appendString(sb, e.getKey());
      sb.append(':');
      appendString(sb, e.getValue());
    }
    sb.append('}');
  }

  /** A JSON string as serde_json writes it: only {@code "}, {@code \\} and control characters are escaped. */
  static void appendString(StringBuilder sb, String s) {
    appendString(sb, s, false);
  }

  /**
   * A JSON string with {@code "}, {@code \\} and control characters escaped (serde_json, lowercase hex); with
   * {@code asciiOnly} also everything above {@code ~}, as UTF-16 units (Python's {@code json.dumps} default).
   */
  static void appendString(StringBuilder sb, String s, boolean asciiOnly) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || (asciiOnly && c > 0x7e)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

}

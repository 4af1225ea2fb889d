package org.ffnfuse.formats.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code model.safetensors.index.json} as transformers' {@code save_pretrained} does:
 * {@code json.dumps(index, indent=2, sort_keys=True) + "\n"}, i.e. two-space indentation, {@code ": "} separators,
 * keys sorted by code point, and non-ASCII characters escaped ({@code ensure_ascii}).
 */
final class IndexJson {
  private IndexJson() {}

  /**
   * @param metadata the {@code metadata} object (e.g. {@code total_size}); values are integral numbers, doubles,
   *     strings or booleans
   * @param weightMap tensor name → shard file name
   */
  static String encode(Map<String, ?> metadata, Map<String, String> weightMap) {
    StringBuilder sb = new StringBuilder(64 + 80 * weightMap.size());
    sb.append("{\n  \"metadata\": ");
    appendObject(sb, metadata);
    sb.append(",\n  \"weight_map\": ");
    appendObject(sb, weightMap);
    sb.append("\n}\n");
    return sb.toString();
  }

  private static void appendObject(StringBuilder sb, Map<String, ?> m) {
    if (m.isEmpty()) {
      sb.append("{}");
      return;
    }
    TreeMap<String, Object> sorted = new TreeMap<>(IndexJson::compareCodePoints);
    sorted.putAll(m);
    sb.append("{\n");
    boolean first = true;
    for (var e : sorted.entrySet()) {
      sb.append(first ? "" : ",\n").append("    ");
      first = false;
      appendString(sb, e.getKey());
      sb.append(": ");
      appendValue(sb, e.getKey(), e.getValue());
    }
    sb.append("\n  }");
  }

  private static void appendValue(StringBuilder sb, String key, Object v) {
    if (v instanceof String s) {
      appendString(sb, s);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger || v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      checkArgument(Double.isFinite(d), "index metadata '%s' is %s; JSON has no NaN or infinity", key, d);
      sb.append(d);
    } else {
      throw new IllegalArgumentException("index metadata '" + key + "' is a " + (v == null ? "null" : v.getClass())
          + "; use a number, string or boolean");
    }
  }

  /** Python's {@code json.dumps} string with {@code ensure_ascii=True}: everything outside space..~ is escaped. */
  static void appendString(StringBuilder sb, String s) {
    HeaderJson.appendString(sb, s, true);
  }


  /** Orders as Python's {@code sorted} on str does: by code point, not UTF-16 unit. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}

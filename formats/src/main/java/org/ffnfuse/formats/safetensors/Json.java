package org.ffnfuse.formats.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.ArrayList;
import java.util.List;

/** JSON reading shared by the header and index parsers: duplicate keys are errors, trailing tokens too. */
final class Json {
  /**
   * Rejects duplicate object keys at any depth (a JSON object with a repeated name is ambiguous); used for reading
   * values one by one from a streaming parser.
   */
  static final ObjectMapper MAPPER = new ObjectMapper(
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  /** Reads a whole document: like {@link #MAPPER}, and anything after the root value is an error. */
  static final ObjectReader DOCUMENT = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** "a string", "an array", ... for messages. */
  static String describe(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array " + abbreviate(n);
      case OBJECT -> "an object " + abbreviate(n);
      case STRING -> "a string " + abbreviate(n);
      case NUMBER -> "a number " + n;
      case BOOLEAN -> "a boolean " + n;
      case NULL -> "null";
      default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}

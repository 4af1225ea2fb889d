package org.ffnfuse.converters.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Typed, validated access to one mapping of a recipe. Every error is a {@link ModelFormatException} naming the file,
 * the line and the dotted key ({@code recipe.yaml: line 7: plan.chains: …}).
 */
final class YamlSection {
  private final Path file;
  private final LocatedYaml doc;
  private final String path;
  private final ObjectNode node;

  private YamlSection(Path file, LocatedYaml doc, String path, ObjectNode node) {
    this.file = file;
    this.doc = doc;
    this.path = path;
    this.node = node;
  }

  /** The document's top-level mapping (an empty document is an empty mapping). */
  static YamlSection root(Path file, LocatedYaml doc) throws ModelFormatException {
    if (doc.root().isNull()) {
      return new YamlSection(file, doc, "", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    }
    if (!doc.root().isObject()) {
      throw new ModelFormatException(file, "line 1: a recipe is a YAML mapping of sections (plan:, fuse:, output:, …),"
          + " got " + kind(doc.root()));
    }
    return new YamlSection(file, doc, "", (ObjectNode) doc.root());
  }

  /** The dotted path of {@code key} in this section. */
  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** An error about {@code key}: file, line, dotted key, message. */
  ModelFormatException error(String key, String message) {
    return new ModelFormatException(file, where(path(key)) + path(key) + ": " + message);
  }

  /** An error about this section as a whole. */
  ModelFormatException error(String message) {
    return new ModelFormatException(file, where(path) + (path.isEmpty() ? "recipe" : path) + ": " + message);
  }

  private String where(String p) {
    int line = doc.line(p);
    return line > 0 ? "line " + line + ": " : "";
  }

  boolean has(String key) {
    return node.has(key);
  }

  /** The first key, in document order, that is not in {@code known}, reported with a suggestion. */
  void onlyKeys(List<String> known) throws ModelFormatException {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (!known.contains(k)) {
        String near = known.stream().filter(c -> distance(c, k) <= 2).findFirst().map(c -> "did you mean '" + c
            + "'? ").orElse("");
        throw new ModelFormatException(file, where(path(k)) + "unknown key '" + path(k) + "' ("
            + near + "known keys " + (path.isEmpty() ? "at the top level" : "in " + path) + ": "
            + String.join(", ", known) + ")");
      }
    }
  }

  /** A nested mapping; a key with no value ({@code verify:}) is an empty mapping. */
  Optional<YamlSection> section(String key) throws ModelFormatException {
    JsonNode v = node.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v.isNull()) {
      return Optional.of(new YamlSection(file, doc, path(key),
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
    }
    if (!v.isObject()) {
      throw error(key, "expected a mapping of keys (e.g. '" + key + ":' then indented 'key: value' lines), got "
          + kind(v));
    }
    return Optional.of(new YamlSection(file, doc, path(key), (ObjectNode) v));
  }

  private JsonNode present(String key) throws ModelFormatException {
    JsonNode v = node.get(key);
    if (v != null && v.isNull()) {
      throw error(key, "has no value");
    }
    return v;
  }

  /** A string value (numbers are not accepted as text). */
  Optional<String> string(String key) throws ModelFormatException {
    JsonNode v = present(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw error(key, "expected a non-empty string, got " + kind(v));
    }
    return Optional.of(v.asText());
  }

  /** Block ranges: a string like {@code "8-14"} or {@code "3,5,8-10"}, a single integer, or a list of those. */
  Optional<String> ranges(String key) throws ModelFormatException {
    JsonNode v = present(key);
    if (v == null) {
      return Optional.empty();
    }
    List<String> items = new ArrayList<>();
    for (JsonNode item : v.isArray() ? v : List.of(v)) {
      if (item.isTextual() || (item.isIntegralNumber() && item.canConvertToInt())) {
        items.add(item.asText());
      } else {
        throw error(key, "expected block ranges like \"8-14\" or \"8-13,20-25\", got " + kind(item));
      }
    }
    if (items.isEmpty()) {
      throw error(key, "is an empty list; expected block ranges like \"8-14\"");
    }
    return Optional.of(String.join(",", items));
  }

  /** An integer in {@code [min, max]}. */
  OptionalLong integer(String key, long min, long max) throws ModelFormatException {
    JsonNode v = present(key);
    if (v == null) {
      return OptionalLong.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw error(key, "expected an integer, got " + kind(v));
    }
    long x = v.asLong();
    if (x < min || x > max) {
      throw error(key, "must be " + range(min, max) + ", got " + x);
    }
    return OptionalLong.of(x);
  }

  /** A number (integer or decimal) in {@code [min, max]}. */
  OptionalDouble number(String key, double min, double max) throws ModelFormatException {
    JsonNode v = present(key);
    if (v == null) {
      return OptionalDouble.empty();
    }
    if (!v.isNumber()) {
      throw error(key, "expected a number, got " + kind(v));
    }
    double x = v.asDouble();
    if (!(x >= min && x <= max)) {
      throw error(key, "must be " + (max == Double.MAX_VALUE ? "≥ " + min : "between " + min + " and " + max)
          + ", got " + v.asText());
    }
    return OptionalDouble.of(x);
  }

  /** {@code true} or {@code false}. */
  Optional<Boolean> bool(String key) throws ModelFormatException {
    JsonNode v = present(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw error(key, "expected true or false, got " + kind(v));
    }
    return Optional.of(v.asBoolean());
  }

  /** A file path, resolved against {@code base}; the file must exist. */
  Optional<Path> file(String key, Path base) throws ModelFormatException {
    Optional<String> s = string(key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Path p;
    try {
      p = base.resolve(s.get()).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw error(key, "'" + s.get() + "' is not a valid path: " + e.getReason());
    }
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw error(key, "file " + p + " does not exist (relative paths are resolved against the recipe's folder "
          + base + ")");
    }
    return Optional.of(p);
  }

  /** Positive integers: a list {@code [1, 32]} or one number. */
  Optional<List<Integer>> positiveInts(String key) throws ModelFormatException {
    JsonNode v = present(key);
    if (v == null) {
      return Optional.empty();
    }
    List<Integer> out = new ArrayList<>();
    for (JsonNode item : v.isArray() ? v : List.of(v)) {
      if (!item.isIntegralNumber() || !item.canConvertToInt() || item.asInt() < 1) {
        throw error(key, "expected positive integers like [1, 32], got " + kind(item));
      }
      out.add(item.asInt());
    }
    if (out.isEmpty()) {
      throw error(key, "is an empty list; expected positive integers like [1, 32]");
    }
    return Optional.of(out);
  }

  private static String range(long min, long max) {
    return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "≥ " + min : "between " + min + " and " + max;
  }

  /** A short description of a value for messages: {@code string "8..13"}, {@code number 3.5}, {@code a list}. */
  static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "string \"" + v.asText() + "\"";
    }
    if (v.isNumber()) {
      return "number " + v.asText();
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "a mapping";
    }
    return "nothing";
  }

  /** Levenshtein distance, for "did you mean". */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}

package org.ffnfuse.formats.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Typed reads of one JSON object of a config.json. A field that is absent or {@code null} takes its default; a field
 * of the wrong type is a {@link ModelFormatException} naming the file, the field path and what was expected.
 */
final class ConfigFields {
  private final JsonNode node;
  private final Path file;
  private final String prefix;

  ConfigFields(JsonNode node, Path file, String prefix) {
    this.node = node;
    this.file = file;
    this.prefix = prefix;
  }

  Path file() {
    return file;
  }

  /** Whether {@code name} is present and not {@code null}. */
  boolean has(String name) {
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  /** The value of {@code name} as parsed, or {@code null} when absent. */
  JsonNode get(String name) {
    return node.get(name);
  }

  /** The value of {@code name} as messages show it, e.g. {@code 4096 (integer)}. */
  String describeValue(String name) {
    return has(name) ? describe(node.get(name)) : "null";
  }

  /** Whether {@code name} is present with the value {@code null}. */
  boolean isExplicitNull(String name) {
    JsonNode v = node.get(name);
    return v != null && v.isNull();
  }

  String path(String name) {
    return prefix + name;
  }

  int positiveInt(String name) throws ModelFormatException {
    if (!has(name)) {
      throw new ModelFormatException(file, "required field '" + path(name) + "' is missing (expected a positive"
          + " integer); is this a complete Hugging Face config.json?");
    }
    return positiveIntOr(name, 0);
  }

  int positiveIntOr(String name, int dflt) throws ModelFormatException {
    if (!has(name)) {
      return dflt;
    }
    JsonNode v = node.get(name);
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
      throw invalid(name, "a positive integer", v);
    }
    return v.intValue();
  }

  /** A required size: a positive integer no larger than {@code limit}'s maximum. */
  int size(String name, SizeLimit limit) throws ModelFormatException {
    return checkSize(name, positiveInt(name), limit);
  }

  /** An optional size, {@code dflt} when absent, checked like {@link #size}. */
  int sizeOr(String name, int dflt, SizeLimit limit) throws ModelFormatException {
    return checkSize(name, positiveIntOr(name, dflt), limit);
  }

  /** {@code value} of field {@code name} if within {@code limit}, else an error naming the field and the limit. */
  int checkSize(String name, long value, SizeLimit limit) throws ModelFormatException {
    if (value > limit.max()) {
      throw problem(name, value + " is over the limit of " + limit.max() + " " + limit.unit()
          + "; no model comes near it, so config.json is corrupt");
    }
    return (int) value;
  }

  OptionalInt optionalInt(String name) throws ModelFormatException {
    if (!has(name)) {
      return OptionalInt.empty();
    }
    JsonNode v = node.get(name);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw invalid(name, "an integer", v);
    }
    return OptionalInt.of(v.intValue());
  }

  OptionalDouble optionalDouble(String name) throws ModelFormatException {
    if (!has(name)) {
      return OptionalDouble.empty();
    }
    JsonNode v = node.get(name);
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw invalid(name, "a number", v);
    }
    return OptionalDouble.of(v.doubleValue());
  }

  double doubleOr(String name, double dflt) throws ModelFormatException {
    return optionalDouble(name).orElse(dflt);
  }

  double positiveDoubleOr(String name, double dflt) throws ModelFormatException {
    OptionalDouble d = optionalDouble(name);
    if (d.isPresent() && d.getAsDouble() <= 0) {
      throw invalid(name, "a positive number", node.get(name));
    }
    return d.orElse(dflt);
  }

  double nonNegativeDoubleOr(String name, double dflt) throws ModelFormatException {
    OptionalDouble d = optionalDouble(name);
    if (d.isPresent() && d.getAsDouble() < 0) {
      throw invalid(name, "a number ≥ 0", node.get(name));
    }
    return d.orElse(dflt);
  }

  boolean boolOr(String name, boolean dflt) throws ModelFormatException {
    if (!has(name)) {
      return dflt;
    }
    JsonNode v = node.get(name);
    if (!v.isBoolean()) {
      throw invalid(name, "true or false", v);
    }
    return v.booleanValue();
  }

  Optional<String> optionalString(String name) throws ModelFormatException {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonNode v = node.get(name);
    if (!v.isTextual()) {
      throw invalid(name, "a string", v);
    }
    return Optional.of(v.textValue());
  }

  String requiredString(String name) throws ModelFormatException {
    Optional<String> s = optionalString(name);
    if (s.isEmpty()) {
      throw new ModelFormatException(file, "required field '" + path(name) + "' is missing (expected a string)");
    }
    return s.get();
  }

  Optional<ConfigFields> optionalObject(String name) throws ModelFormatException {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonNode v = node.get(name);
    if (!v.isObject()) {
      throw invalid(name, "an object", v);
    }
    return Optional.of(new ConfigFields(v, file, path(name) + "."));
  }

  ConfigFields requiredObject(String name) throws ModelFormatException {
    Optional<ConfigFields> o = optionalObject(name);
    if (o.isEmpty()) {
      throw new ModelFormatException(file, "required field '" + path(name) + "' is missing (expected an object)");
    }
    return o.get();
  }

  /** The elements of an array of objects; absent → empty. */
  List<ConfigFields> objectArray(String name) throws ModelFormatException {
    List<ConfigFields> out = new ArrayList<>();
    if (!has(name)) {
      return out;
    }
    JsonNode v = node.get(name);
    if (!v.isArray()) {
      throw invalid(name, "an array of objects", v);
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isObject()) {
        throw invalid(name + "[" + i + "]", "an object", e);
      }
      out.add(new ConfigFields(e, file, path(name) + "[" + i + "]."));
    }
    return out;
  }

  /** The elements of an array of strings, if present. */
  Optional<List<String>> optionalStringArray(String name) throws ModelFormatException {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonNode v = node.get(name);
    if (!v.isArray()) {
      throw invalid(name, "an array of strings", v);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw invalid(name + "[" + i + "]", "a string", v.get(i));
      }
      out.add(v.get(i).textValue());
    }
    return Optional.of(out);
  }

  /** A wrong-type error: "field 'x': expected a positive integer, found "64" (string)". */
  ModelFormatException invalid(String name, String expected, JsonNode found) {
    return new ModelFormatException(file, "field '" + path(name) + "': expected " + expected + ", found "
        + describe(found));
  }

  /** A semantic error about one field. */
  ModelFormatException problem(String name, String message) {
    return new ModelFormatException(file, "field '" + path(name) + "': " + message);
  }

  /** An error about the relation between fields. */
  ModelFormatException problem(String message) {
    return new ModelFormatException(file, message);
  }

  private static String describe(JsonNode v) {
    String type = v.isTextual() ? "string" : v.isBoolean() ? "boolean" : v.isIntegralNumber() ? "integer"
        : v.isNumber() ? "number" : v.isArray() ? "array" : v.isObject() ? "object" : v.getNodeType().name();
    String text = v.toString();
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return text + " (" + type + ")";
  }
}

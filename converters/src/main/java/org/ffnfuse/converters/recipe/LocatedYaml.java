package org.ffnfuse.converters.recipe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.ffnfuse.formats.ModelFormatException;

/**
 * One YAML document read into a Jackson tree, remembering the line of every key and list item, so that every error
 * about a field can name its line. Keys are addressed by dotted paths ({@code plan.chains}, {@code bench.batch[1]}).
 *
 * @param root the document's top-level node
 * @param lines 1-based line of every key path
 */
record LocatedYaml(JsonNode root, Map<String, Integer> lines) {
  /** YAML 1.2-like scalars: only true/false are booleans (not yes/no/on/off); an empty value is null. */
  private static final YAMLFactory YAML = YAMLFactory.builder()
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL, YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  LocatedYaml {
    lines = Map.copyOf(lines);
  }

  /** Reads {@code text}; syntax errors, duplicate keys and further documents name {@code file} and the line. */
  static LocatedYaml parse(String text, Path file) throws ModelFormatException {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = YAML.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return new LocatedYaml(NODES.nullNode(), lines);
      }
      JsonNode root = value(p, "", lines, file);
      if (p.nextToken() != null) {
        throw new ModelFormatException(file, "line " + line(p) + ": a second YAML document ('---'); a recipe is one"
            + " document");
      }
      return new LocatedYaml(root, lines);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
      throw new ModelFormatException(file, where + "not valid YAML: " + e.getOriginalMessage(), e);
    } catch (ModelFormatException e) {
      throw e;
    } catch (IOException e) {
      // Reading from a String: the only IOExceptions are parse errors the parser did not type as such.
      throw new ModelFormatException(file, "not valid YAML: " + e.getMessage(), e);
    }
  }

  /** The line of {@code path}, or 0 if unknown. */
  int line(String path) {
    return lines.getOrDefault(path, 0);
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static JsonNode value(JsonParser p, String path, Map<String, Integer> lines, Path file)
      throws IOException {
    JsonToken t = p.currentToken();
    if (p instanceof YAMLParser y && (y.isCurrentAlias() || y.getCurrentAnchor() != null)) {
      // A recipe needs no shared nodes, and refusing them rules out alias bombs.
      throw new ModelFormatException(file, "line " + line(p) + ": " + (path.isEmpty() ? "document" : path)
          + ": YAML anchors and aliases (&name, *name) are not supported in recipes; write the value out");
    }
    switch (t) {
      case START_OBJECT: {
        ObjectNode o = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = path.isEmpty() ? name : path + "." + name;
          int line = line(p);
          if (o.has(name)) {
            throw new ModelFormatException(file, "line " + line + ": key '" + child + "' appears twice (first on line "
                + lines.get(child) + ")");
          }
          lines.put(child, line);
          p.nextToken();
          o.set(name, value(p, child, lines, file));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = NODES.arrayNode();
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
          String child = path + "[" + i + "]";
          lines.put(child, line(p));
          a.add(value(p, child, lines, file));
        }
        return a;
      }
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? NODES.numberNode(p.getBigIntegerValue())
            : NODES.numberNode(p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new ModelFormatException(file, "line " + line(p) + ": " + (path.isEmpty() ? "document" : path)
            + ": unsupported YAML value (" + t + ")");
    }
  }
}

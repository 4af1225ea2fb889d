package org.ffnfuse.converters.fuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.JsonFiles;
import org.ffnfuse.formats.io.TextFiles;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * {@code plan.json}: {@code {"chains":[{"first":8,"last":13}]}}, the hand-off from {@code ffnfuse plan} to
 * {@code ffnfuse fuse --plan}. Other keys (scores, notes) are allowed and ignored.
 */
public final class PlanFile {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Plans are small; anything bigger is not a plan. */
  private static final long MAX_BYTES = 1 << 20;

  private PlanFile() {}

  /** Reads and validates a plan file; every problem names the file and the field. */
  public static FusionPlan read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "plan file not found");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new ModelFormatException(file, "plan file is " + Files.size(file) + " bytes; a plan is a small JSON"
          + " object like {\"chains\":[{\"first\":8,\"last\":13}]}");
    }
    return parse(file, Files.readAllBytes(file));
  }

  /**
   * Validates plan bytes already in memory, checked like {@link #read}.
   *
   * @param file the file they came from, named in messages
   */
  public static FusionPlan parse(Path file, byte[] contents) throws ModelFormatException {
    JsonNode root = JsonFiles.parse(file, TextFiles.decodeUtf8(file, contents));
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(file, "expected a JSON object like {\"chains\":[{\"first\":8,\"last\":13}]}");
    }
    JsonNode chains = root.get("chains");
    if (chains == null || !chains.isArray()) {
      throw new ModelFormatException(file, "field 'chains' is missing or not an array");
    }
    if (chains.isEmpty()) {
      throw new ModelFormatException(file, "field 'chains' is empty: nothing to fuse");
    }
    List<ChainRange> out = new ArrayList<>();
    for (int i = 0; i < chains.size(); i++) {
      JsonNode c = chains.get(i);
      int first = index(file, c, i, "first");
      int last = index(file, c, i, "last");
      if (last < first) {
        throw new ModelFormatException(file, "chains[" + i + "]: last " + last + " is before first " + first);
      }
      ChainRange r = new ChainRange(first, last);
      for (ChainRange o : out) {
        if (o.overlaps(r)) {
          throw new ModelFormatException(file, "chains[" + i + "] " + r + " overlaps chain " + o);
        }
      }
      out.add(r);
    }
    return new FusionPlan(out);
  }

  private static int index(Path file, JsonNode chain, int i, String field) throws ModelFormatException {
    JsonNode v = chain == null || !chain.isObject() ? null : chain.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw new ModelFormatException(file, "chains[" + i + "]." + field + " must be a non-negative integer block"
          + " index, got " + (v == null ? "nothing" : v.toString()));
    }
    return v.intValue();
  }

  /** The JSON of {@code plan} (with {@code extra} fields merged at the top level). */
  public static ObjectNode toJson(FusionPlan plan) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arr = root.putArray("chains");
    for (ChainRange c : plan.chains()) {
      arr.addObject().put("first", c.first()).put("last", c.last());
    }
    return root;
  }

  /** Writes {@code json} (a plan, possibly with extra fields) atomically. */
  public static void write(ObjectNode json, Path file) throws IOException {
    AtomicFiles.writeString(file, JSON.writeValueAsString(json) + "\n");
  }
}

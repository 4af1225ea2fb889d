package org.ffnfuse.formats.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.TextFiles;

/**
 * A parsed {@code model.safetensors.index.json}: {@code weight_map} (tensor name → shard file, relative to the folder)
 * and {@code metadata} (e.g. {@code total_size}, the sum of the tensors' byte sizes).
 *
 * @param file the index file
 * @param weightMap tensor name → shard path as written in the index, in file order
 * @param shardPaths tensor name → resolved shard path inside the folder
 * @param metadata the {@code metadata} object's scalar values: {@code Long} or {@code Double} for numbers,
 *     {@code String}, {@code Boolean}; nested values as their JSON text
 */
record ShardIndex(Path file, Map<String, String> weightMap, Map<String, Path> shardPaths,
    Map<String, Object> metadata) {
  /** Indexes list one line per tensor (a 405B model's is about 100 KB); anything this big is not one. */
  static final long MAX_BYTES = 64 << 20;

  /** Reads and validates {@code indexFile}; shard paths must stay inside its folder. */
  static ShardIndex read(Path indexFile) throws IOException {
    JsonNode root;
    try {
      root = Json.DOCUMENT.readTree(TextFiles.readUtf8(indexFile, MAX_BYTES, "a safetensors index"));
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage();
      if (msg != null && msg.startsWith("Duplicate field")) {
        throw new ModelFormatException(indexFile, "tensor or key " + msg.substring("Duplicate field ".length())
            + " appears twice (at line " + e.getLocation().getLineNr() + "); each tensor must map to one shard", e);
      }
      throw new ModelFormatException(indexFile, "not valid JSON: " + msg + " at line "
          + (e.getLocation() == null ? "?" : e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr())
          + "; expected {\"metadata\":{\"total_size\":..},\"weight_map\":{\"tensor\":\"shard.safetensors\",..}}", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(indexFile, "must be a JSON object with a 'weight_map', found "
          + (root == null ? "nothing" : Json.describe(root)));
    }
    JsonNode wm = root.get("weight_map");
    if (wm == null || !wm.isObject()) {
      throw new ModelFormatException(indexFile, "'weight_map' is " + (wm == null ? "missing" : Json.describe(wm))
          + "; it must be an object mapping each tensor name to its shard file (found keys "
          + Json.fieldNames(root) + ")");
    }
    Path dir = indexFile.toAbsolutePath().getParent().normalize();
    Map<String, String> weightMap = new LinkedHashMap<>();
    Map<String, Path> shardPaths = new LinkedHashMap<>();
    for (var it = wm.fields(); it.hasNext(); ) {
      var e = it.next();
      String tensor = e.getKey();
      JsonNode v = e.getValue();
      if (!v.isTextual() || v.textValue().isEmpty()) {
        throw new ModelFormatException(indexFile, "weight_map['" + tensor + "'] must be a shard file name, found "
            + Json.describe(v));
      }
      weightMap.put(tensor, v.textValue());
      shardPaths.put(tensor, resolveInside(indexFile, dir, tensor, v.textValue()));
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    JsonNode md = root.get("metadata");
    if (md != null && !md.isNull()) {
      if (!md.isObject()) {
        throw new ModelFormatException(indexFile, "'metadata' must be an object, found " + Json.describe(md));
      }
      for (var it = md.fields(); it.hasNext(); ) {
        var e = it.next();
        metadata.put(e.getKey(), scalar(e.getValue()));
      }
    }
    return new ShardIndex(indexFile, ImmutableMap.copyOf(weightMap), ImmutableMap.copyOf(shardPaths),
        ImmutableMap.copyOf(metadata));
  }

  /**
   * Resolves a shard name against the folder, refusing absolute paths and any path that leaves the folder: an index is
   * untrusted input and must not make us read {@code ../../etc/passwd}. The check is lexical, so symbolic links inside
   * the folder (the Hugging Face cache links shards into {@code blobs/}) still work.
   */
  private static Path resolveInside(Path indexFile, Path dir, String tensor, String shard)
      throws ModelFormatException {
    Path rel;
    try {
      rel = Path.of(shard);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ModelFormatException(indexFile, "weight_map['" + tensor + "'] = '" + shard
          + "' is not a valid file name: " + e.getReason());
    }
    Path resolved = dir.resolve(rel).normalize();
    if (rel.isAbsolute() || !resolved.startsWith(dir) || resolved.equals(dir)) {
      throw new ModelFormatException(indexFile, "weight_map['" + tensor + "'] = '" + shard
          + "' points outside the checkpoint folder " + dir + "; shard files must be inside it (a plain file name"
          + " such as model-00001-of-00002.safetensors)");
    }
    return resolved;
  }

  private static Object scalar(JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.toString();
  }

  /** {@code metadata.total_size}, if present and an integer. */
  java.util.OptionalLong totalSize() {
    return metadata.get("total_size") instanceof Long l ? java.util.OptionalLong.of(l) : java.util.OptionalLong.empty();
  }
}

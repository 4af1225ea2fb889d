package org.ffnfuse.formats.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.JsonFiles;
import org.ffnfuse.formats.io.TextFiles;

/**
 * Reads a Hugging Face {@code config.json} into a validated {@link ModelConfig}.
 *
 * <p>The {@code model_type} is checked first, so an unsupported architecture fails before anything else is done.
 * Each family's quirks live in one small parser; this class only dispatches. Both transformers-4 and transformers-5
 * spellings are accepted.
 */
public final class HfConfigReader {
  /** Configs are a few KB (a 405B model's is under 100 KB); anything this big is not one. */
  private static final long MAX_BYTES = 16 << 20;

  private HfConfigReader() {}

  /**
   * Reads {@code configJsonOrDir}, or {@code config.json} inside it if it is a folder.
   *
   * @throws ModelFormatException if the file is not UTF-8 JSON (or over 16 MB, or repeats a key), its
   *     {@code model_type} is not supported, or a field is missing, of the wrong type, inconsistent or over a size
   *     limit (the message names file and field)
   * @throws IOException if the file cannot be read
   */
  public static ModelConfig read(Path configJsonOrDir) throws IOException {
    Path file = Files.isDirectory(configJsonOrDir) ? configJsonOrDir.resolve("config.json") : configJsonOrDir;
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null,
          "no config.json (a Hugging Face checkpoint folder has one beside its *.safetensors)");
    }
    return parse(JsonFiles.read(file, MAX_BYTES, "a config.json"), file);
  }

  /**
   * Parses config.json bytes already in memory (e.g. taken from an archive), checked like {@link #read}.
   *
   * @param source the file they came from (used in messages and kept in {@link ModelConfig#source()})
   */
  public static ModelConfig parse(Path source, byte[] contents) throws ModelFormatException {
    return parse(JsonFiles.parse(source, TextFiles.decodeUtf8(source, contents)), source);
  }

  /**
   * Parses an already-read config.
   *
   * @param source the file it came from (used in messages and kept in {@link ModelConfig#source()})
   */
  public static ModelConfig parse(JsonNode root, Path source) throws ModelFormatException {
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(source, "expected a JSON object at the top level, found "
          + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    }
    ConfigFields f = new ConfigFields(root, source, "");
    String type = f.requiredString("model_type");
    Optional<ModelFamily> family = ModelFamily.fromModelType(type);
    if (family.isEmpty()) {
      throw new ModelFormatException(source, "model_type '" + type + "' is not supported (supported: "
          + ModelFamily.supportedList() + ")");
    }
    return FamilyParser.forFamily(family.get()).parse(family.get(), f).build(root, source);
  }
}

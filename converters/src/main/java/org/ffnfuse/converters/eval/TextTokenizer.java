package org.ffnfuse.converters.eval;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.TextFiles;

/**
 * A model's {@code tokenizer.json} (DJL's binding of Hugging Face tokenizers), encoding text without special tokens
 * and without truncation; callers add BOS themselves. {@link #close()} is idempotent.
 */
public final class TextTokenizer implements AutoCloseable {
  /** Larger files are refused: real ones are tens of megabytes at most. */
  private static final long MAX_BYTES = 256L << 20;

  /** Thread-safe once configured; making one costs more than parsing a small file. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private boolean closed;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, Path file) {
    this.tokenizer = tokenizer;
    this.file = file;
  }

  /**
   * Loads {@code tokenizerJsonOrDir} ({@code tokenizer.json}, or a folder holding it).
   *
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws ModelFormatException naming the file if it is not UTF-8 JSON, not a Hugging Face tokenizer ({@code {}},
   *     another JSON file) or one the tokenizers library rejects
   */
  public static TextTokenizer open(Path tokenizerJsonOrDir) throws IOException {
    Path file = Files.isDirectory(tokenizerJsonOrDir) ? tokenizerJsonOrDir.resolve("tokenizer.json")
        : tokenizerJsonOrDir;
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "no tokenizer.json");
    }
    String json = TextFiles.readUtf8(file, MAX_BYTES, "a tokenizer.json");
    checkShape(file, json);
    try {
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), OPTIONS), file);
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "the Hugging Face tokenizers library rejects it: " + e.getMessage(), e);
    }
  }

  /** Whether {@code json} is an object with a {@code model} object, what every tokenizer.json has. */
  private static void checkShape(Path file, String json) throws ModelFormatException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelFormatException(file, "not valid JSON: " + e.getOriginalMessage() + location(e), e);
    }
    if (root == null || !root.isObject() || !root.path("model").isObject()) {
      throw new ModelFormatException(file, "not a Hugging Face tokenizer.json: expected {\"model\":{\"type\":..,"
          + "\"vocab\":..},..} (found " + (root == null ? "nothing" : root.isObject() ? "no 'model' object"
              : "a JSON " + root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)) + ")");
    }
  }

  private static String location(JsonProcessingException e) {
    var l = e.getLocation();
    return l == null ? "" : " at line " + l.getLineNr() + " column " + l.getColumnNr();
  }

  /**
   * Token ids of {@code text}, no special tokens added.
   *
   * @throws ModelFormatException naming the tokenizer.json if it loaded but cannot encode (a {@code WordLevel} model
   *     whose {@code unk_token} is not in its vocabulary: a fuzzing finding)
   */
  public long[] encode(String text) throws ModelFormatException {
    if (closed) {
      throw new IllegalStateException("tokenizer closed");
    }
    try {
      return tokenizer.encode(text, false, false).getIds();
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "the Hugging Face tokenizers library cannot encode text with it: "
          + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tokenizer.close();
    }
  }
}

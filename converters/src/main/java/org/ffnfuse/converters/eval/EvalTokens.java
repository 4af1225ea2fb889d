package org.ffnfuse.converters.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.JsonFiles;

/**
 * Evaluation and calibration tokens: a UTF-8 text file run through a model's {@code tokenizer.json}, or a JSON file of
 * pre-tokenized ids ({@code {"ids":[…]}}, as {@code stories260k/tinystories-tokens.json}).
 */
public final class EvalTokens {
  /** About 100 million ids; token files for evaluation are far smaller. */
  private static final long MAX_BYTES = 1L << 30;

  private EvalTokens() {}

  /** Whether {@code file} is a pre-tokenized JSON file (by extension). */
  public static boolean isTokenFile(Path file) {
    return file.getFileName().toString().endsWith(".json");
  }

  /** The ids of a {@code {"ids":[…]}} file. */
  public static long[] readIds(Path file) throws IOException {
    JsonNode root = JsonFiles.read(file, MAX_BYTES, "a token file");
    JsonNode ids = root == null ? null : root.get("ids");
    if (ids == null || !ids.isArray()) {
      throw new ModelFormatException(file, "expected {\"ids\": [token ids…]}; field 'ids' is missing or not an array");
    }
    long[] out = new long[ids.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = ids.get(i);
      if (!v.isIntegralNumber() || v.asLong() < 0) {
        throw new ModelFormatException(file, "ids[" + i + "] is " + v + ", expected a non-negative integer");
      }
      out[i] = v.asLong();
    }
    return out;
  }

  /**
   * The ids of a {@code {"ids":[…]}} file, each checked against a vocabulary of {@code vocab} tokens.
   *
   * @throws ModelFormatException naming {@code file} if an id is outside the vocabulary
   */
  public static long[] readIds(Path file, OptionalLong vocab) throws IOException {
    long[] ids = readIds(file);
    ModelVocab.checkIds(ids, vocab, file);
    return ids;
  }

  /**
   * The UTF-8 text of {@code file} tokenized by {@code tokenizer}, each id checked against a vocabulary of
   * {@code vocab} tokens.
   *
   * @throws ModelFormatException naming {@code tokenizer} if it gives an id outside the vocabulary (it is not the
   *     model's tokenizer)
   */
  public static long[] tokenize(Path file, Path tokenizer, OptionalLong vocab) throws IOException {
    long[] ids = tokenize(file, tokenizer);
    ModelVocab.checkIds(ids, vocab, tokenizer);
    return ids;
  }

  /** The UTF-8 text of {@code file} tokenized by {@code tokenizer}. */
  public static long[] tokenize(Path file, Path tokenizer) throws IOException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ModelFormatException(file, "text is not valid UTF-8", e);
    }
    try (TextTokenizer t = TextTokenizer.open(tokenizer)) {
      return t.encode(text);
    }
  }
}

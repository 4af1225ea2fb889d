package org.ffnfuse.formats.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Strict reading of the JSON files users hand to FFNFuse (config.json, plan.json, analysis reports, token files): a
 * key repeated in one object is an error naming the key, its line and column (Jackson would otherwise keep the last
 * value, and Python's {@code json} does the same, so the two tools could silently disagree), and so is anything after
 * the top-level value.
 */
public final class JsonFiles {
  private static final ObjectReader READER = new ObjectMapper(
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
      .reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** Jackson's duplicate-key message: {@code Duplicate field 'name'}. */
  private static final Pattern DUPLICATE = Pattern.compile("^Duplicate (?:field|Object property) '(.*)'$",
      Pattern.DOTALL);

  private JsonFiles() {}

  /**
   * Reads {@code file} as strict UTF-8 JSON (see {@link TextFiles#readUtf8}).
   *
   * @param maxBytes larger files are refused
   * @param what what the file should be, for messages ("a config.json")
   * @throws ModelFormatException if the file is too large, not UTF-8, not JSON, repeats a key or has trailing content
   */
  public static JsonNode read(Path file, long maxBytes, String what) throws IOException {
    return parse(file, TextFiles.readUtf8(file, maxBytes, what));
  }

  /**
   * Parses {@code text} read from {@code file}.
   *
   * @throws ModelFormatException naming {@code file} and the line and column of the problem
   */
  public static JsonNode parse(Path file, String text) throws ModelFormatException {
    try {
      return READER.readTree(text);
    } catch (JacksonException e) {
      throw new ModelFormatException(file, describe(e), e);
    }
  }

  private static String describe(JacksonException e) {
    String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String where = where(e.getLocation());
    Matcher dup = DUPLICATE.matcher(msg);
    if (e instanceof StreamReadException && dup.matches()) {
      return "key '" + dup.group(1) + "' appears twice in one object (the second time" + where
          + "); keys must be unique, remove one";
    }
    // Jackson names its (redacted) source inside some messages; the file is named already.
    return "not valid JSON: " + msg.replaceAll("\\[Source: [^;\\]]*; ", "[") + where;
  }

  private static String where(JsonLocation at) {
    return at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
  }
}

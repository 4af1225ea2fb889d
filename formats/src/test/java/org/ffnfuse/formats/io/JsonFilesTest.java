package org.ffnfuse.formats.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {
  private static final Path FILE = Path.of("dir", "x.json");

  @Test
  void parse_validDocument_givesTree() throws ModelFormatException {
    assertEquals(3, JsonFiles.parse(FILE, "{\"a\": {\"b\": [1, 2, 3]}, \"c\": {\"b\": 1}}").get("a").get("b").size());
  }

  @Test
  void parse_duplicateTopLevelKey_failsNamingKeyLineAndColumn() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> JsonFiles.parse(FILE, "{\n  \"chains\": [],\n  \"chains\": [{\"first\": 1, \"last\": 2}]\n}"));
    assertEquals(FILE, e.file());
    assertEquals(FILE + ": key 'chains' appears twice in one object (the second time at line 3 column 11); keys must"
        + " be unique, remove one", e.getMessage());
  }

  @Test
  void parse_duplicateNestedKey_failsNamingKey() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> JsonFiles.parse(FILE, "{\"a\": [{\"first\": 1, \"first\": 2}]}"));
    assertTrue(e.getMessage().startsWith(FILE + ": key 'first' appears twice in one object (the second time at line"
        + " 1 column "), e.getMessage());
  }

  @Test
  void parse_trailingContent_fails() {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> JsonFiles.parse(FILE, "{} {}"));
    assertTrue(e.getMessage().startsWith(FILE + ": not valid JSON: Trailing token"), e.getMessage());
  }

  @Test
  void parse_syntaxError_namesLineAndColumn() {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> JsonFiles.parse(FILE, "{\n\"a\" 1}"));
    assertTrue(e.getMessage().startsWith(FILE + ": not valid JSON: Unexpected character"), e.getMessage());
    assertTrue(e.getMessage().endsWith(" at line 2 column 5"), e.getMessage());
  }

  @Test
  void read_overLimit_failsBeforeParsing(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("big.json"), "[" + "0,".repeat(100) + "0]");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> JsonFiles.read(f, 100, "a plan"));
    assertTrue(e.getMessage().contains("too large for a plan"), e.getMessage());
  }
}

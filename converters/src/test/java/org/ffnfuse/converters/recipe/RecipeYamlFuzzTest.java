package org.ffnfuse.converters.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target for recipe YAML: every UTF-8 input must give a {@link Recipe} or a {@link ModelFormatException} naming
 * the file; anything else (a parser exception escaping, an {@code IllegalArgumentException} from a record) is a
 * finding. The recipe's relative paths resolve against a folder holding {@code text.txt}, so seeds that name it pass
 * the file checks. To fuzz: {@code JAZZER_FUZZ=1 mvn -pl converters test -Dtest='RecipeYamlFuzzTest'}.
 */
class RecipeYamlFuzzTest {
  /** Named in messages; nothing is written. */
  private static final Path FILE = Path.of("fuzz", "recipe.yaml");

  @TempDir Path dir;

  @BeforeEach
  void writeText() throws IOException {
    RecipeTesting.text(dir);
  }

  @FuzzTest(maxDuration = "10s")
  void recipeYaml(byte[] data) {
    String text;
    try {
      // RecipeYaml.read refuses non-UTF-8 files before parsing; only text reaches the parser.
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data)).toString();
    } catch (CharacterCodingException e) {
      return;
    }
    try {
      RecipeYaml.parse(text, FILE, dir);
    } catch (ModelFormatException e) {
      assertEquals(FILE, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

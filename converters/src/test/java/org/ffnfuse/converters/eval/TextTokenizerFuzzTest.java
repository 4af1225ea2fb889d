package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target for tokenizer.json (parsed by us, then by the Hugging Face tokenizers library through DJL): every input
 * must give a tokenizer that encodes text, or a {@link ModelFormatException} naming the file; anything else (an
 * untyped exception, a crash of the native library) is a finding. To fuzz: {@code JAZZER_FUZZ=1 mvn -pl converters
 * -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest='TextTokenizerFuzzTest#tokenizerJson'}.
 */
class TextTokenizerFuzzTest {
  @TempDir Path dir;

  @FuzzTest(maxDuration = "10s")
  void tokenizerJson(byte[] data) throws IOException {
    Path f = dir.resolve("tokenizer.json");
    Files.write(f, data);
    try (TextTokenizer t = TextTokenizer.open(f)) {
      for (long id : t.encode("Hello, world. Ünïcödé ▁ <s>")) {
        assertFalse(id < 0, "negative id " + id);
      }
    } catch (ModelFormatException e) {
      assertEquals(f, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

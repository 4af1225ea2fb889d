package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EvalTokens and TextTokenizer; token ids are looked up in the BPE vocabulary of the bundled nas-austen-16l. */
class EvalTokensTest {
  static long vocabId(String token) throws Exception {
    Path json = Fixtures.bundled("nas-austen-16l").resolve("tokenizer.json");
    JsonNode id = new ObjectMapper().readTree(json.toFile()).get("model").get("vocab").get(token);
    return id.asLong();
  }

  @Nested
  class Ids {
    @Test
    void isTokenFile_byExtension() {
      assertTrue(EvalTokens.isTokenFile(Path.of("dir/tokens.json")));
      assertFalse(EvalTokens.isTokenFile(Path.of("dir.json/text.txt")));
    }

    @Test
    void readIds_idsArray_returnsThem(@TempDir Path tmp) throws Exception {
      Path f = Files.writeString(tmp.resolve("t.json"), "{\"ids\": [1, 0, 5000000000]}");
      assertArrayEquals(new long[] {1, 0, 5_000_000_000L}, EvalTokens.readIds(f));
    }

    @Test
    void readIds_badFiles_throwModelFormatException(@TempDir Path tmp) throws Exception {
      for (String bad : new String[] {"{\"ids\": [1, -2]}", "{\"ids\": [1.5]}", "{\"ids\": \"1 2\"}", "{\"x\": []}",
          "[1, 2]", "", "{\"ids\": [1,"}) {
        Path f = Files.writeString(tmp.resolve("t.json"), bad);
        assertThrows(ModelFormatException.class, () -> EvalTokens.readIds(f), bad);
      }
    }

    @Test
    void readIds_negativeId_namesTheIndex(@TempDir Path tmp) throws Exception {
      Path f = Files.writeString(tmp.resolve("t.json"), "{\"ids\": [3, 4, -1]}");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> EvalTokens.readIds(f));
      assertTrue(e.getMessage().contains("ids[2]"), e.getMessage());
    }
  }

  @Nested
  class Text {
    @Test
    void tokenize_words_byteLevelBpeIdsWithoutSpecialTokens(@TempDir Path tmp) throws Exception {
      Path f = Files.writeString(tmp.resolve("t.txt"), "the the of.");
      long[] ids = EvalTokens.tokenize(f, Fixtures.bundled("nas-austen-16l").resolve("tokenizer.json"));
      assertArrayEquals(new long[] {vocabId("the"), vocabId("Ġthe"), vocabId("Ġof"), vocabId(".")}, ids);
    }

    @Test
    void tokenize_invalidUtf8_throwsModelFormatException(@TempDir Path tmp) throws Exception {
      Path f = Files.write(tmp.resolve("t.txt"), new byte[] {'a', (byte) 0xC3, (byte) 0x28});
      Path tok = Fixtures.bundled("nas-austen-16l");
      assertThrows(ModelFormatException.class, () -> EvalTokens.tokenize(f, tok));
    }

    @Test
    void open_folderOrFile_sameIds() throws Exception {
      Path dir = Fixtures.bundled("nas-austen-16l");
      try (TextTokenizer a = TextTokenizer.open(dir);
          TextTokenizer b = TextTokenizer.open(dir.resolve("tokenizer.json"))) {
        assertArrayEquals(new long[] {vocabId("of"), vocabId(",")}, a.encode("of,"));
        assertArrayEquals(a.encode("of,"), b.encode("of,"));
      }
    }

    @Test
    void open_noTokenizer_throwsNoSuchFile(@TempDir Path tmp) {
      assertThrows(NoSuchFileException.class, () -> TextTokenizer.open(tmp));
    }

    @Test
    void encode_afterClose_throwsAndCloseIsIdempotent() throws Exception {
      TextTokenizer t = TextTokenizer.open(Fixtures.bundled("nas-austen-16l"));
      t.close();
      t.close();
      assertThrows(IllegalStateException.class, () -> t.encode("the"));
    }
  }
}

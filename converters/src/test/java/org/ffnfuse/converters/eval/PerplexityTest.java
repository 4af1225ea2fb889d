package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerplexityTest {
  @Test
  void logSoftmax_uniform_isMinusLogN() {
    assertEquals(-Math.log(4), Perplexity.logSoftmax(new float[] {3, 3, 3, 3}, 2), 1e-12);
  }

  @Test
  void logSoftmax_largeLogits_staysFinite() {
    assertEquals(0.0, Perplexity.logSoftmax(new float[] {1e30f, -1e30f}, 0), 1e-12);
  }

  @Test
  void ofWindows_stories260kOnTinyStories_isAbout434(@TempDir Path tmp) throws Exception {
    Path dir = Fixtures.bundled("stories260k");
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(dir, onnx, ExportOptions.defaults());
    JsonNode ids = new ObjectMapper().readTree(dir.resolve("tinystories-tokens.json").toFile()).get("ids");
    long[] tokens = new long[ids.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = ids.get(i).asLong();
    }
    try (OrtCausalLm lm = OrtCausalLm.open(onnx, 2)) {
      Perplexity.Result r = Perplexity.ofWindows(lm, tokens, 257, 20);
      System.err.printf("[measure] stories260k perplexity (20 windows of 257): %.4f%n", r.perplexity());
      assertEquals(20, r.windows());
      assertEquals(20 * 256, r.tokens());
      assertEquals(4.34, r.perplexity(), 0.01 * 4.34);
    }
  }

  @Test
  void withBos_tooFewTokens_throws(@TempDir Path tmp) throws Exception {
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(Fixtures.bundled("random/llama"), onnx, ExportOptions.defaults());
    try (OrtCausalLm lm = OrtCausalLm.open(onnx, 1)) {
      assertThrows(IllegalArgumentException.class, () -> Perplexity.withBos(lm, new long[] {1, 2}, 1, 4, 1));
    }
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class AustenPersuasion {
    double perplexity(Path model, Path tmp) throws Exception {
      Path onnx = tmp.resolve("m.onnx");
      OnnxExporter.export(model, onnx, ExportOptions.defaults());
      long bos = HfConfigReader.read(model).bosTokenId().orElseThrow();
      long[] tokens;
      try (TextTokenizer tok = TextTokenizer.open(model)) {
        tokens = tok.encode(Files.readString(Fixtures.sharedText("austen-persuasion.txt")));
      }
      try (OrtCausalLm lm = OrtCausalLm.open(onnx, 2)) {
        // The windows of the NumPy oracle in ../shared/README.md: BOS + the next 255 tokens, 16,320 scored.
        Perplexity.Result r = Perplexity.withBos(lm, tokens, bos, 255, 64);
        assertEquals(16_320, r.tokens());
        System.err.printf("[measure] %s perplexity on austen-persuasion (64 × BOS+255): %.6f%n",
            model.getFileName(), r.perplexity());
        return r.perplexity();
      }
    }

    @Test
    void llamaAusten_matchesTheNumpyOracle(@TempDir Path tmp) throws Exception {
      assertEquals(22.4294, perplexity(Fixtures.shared("llama-austen-16l"), tmp), 1e-4 * 22.4294);
    }

    @Test
    void nasAusten_matchesTheNumpyOracle(@TempDir Path tmp) throws Exception {
      assertEquals(22.8943, perplexity(Fixtures.shared("nas-austen-16l"), tmp), 1e-4 * 22.8943);
    }
  }
}

package org.ffnfuse.converters.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Optional;
import org.ffnfuse.converters.cli.FfnFuseCli;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.eval.Perplexity;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Perplexity, KL(original‖fused) and top-1 agreement of {@code verify} and {@link Perplexity} against
 * {@link IndependentOracle} on the bundled nas-austen-16l (fp32 export) and its fp32 fusion of chain 8-13, over the
 * bundled Persuasion excerpt: both window conventions (the CLI default {@code --window 256}: BOS + 256 tokens;
 * {@code --window 255}: BOS + 255, the shared NumPy oracle's). The same ONNX Runtime logits feed both sides, so they
 * agree to float rounding of the summation order (1e-9 relative); a window without BOS or KL in the other direction
 * moves them by percents.
 */
class VerifyOracleTest {
  static final Path NAS = Fixtures.bundled("nas-austen-16l");
  static final Path TEXT = NAS.resolve("../../text/persuasion-excerpt.txt").normalize();
  static final int WINDOWS = 4;
  static final double REL = 1e-7;

  @TempDir static Path dir;
  static Path original;
  static Path fused;
  static long[] tokens;

  @BeforeAll
  static void models() throws Exception {
    original = dir.resolve("original.onnx");
    OnnxExporter.export(NAS, original, ExportOptions.defaults().withWeightType(DType.F32));
    fused = dir.resolve("fused.onnx");
    Fusion.fuse(NAS, FusionPlan.parse("8-13"), fused, "fp32", false);
    tokens = IndependentOracle.tokenize(TEXT, NAS.resolve("tokenizer.json"));
  }

  static void assertRelative(double want, double got, String what) {
    assertEquals(want, got, REL * Math.abs(want), what);
  }

  static JsonNode verifyJson(String... extra) throws Exception {
    Path report = dir.resolve("verify-" + extra.length + ".json");
    String[] args = {"verify", NAS.toString(), fused.toString(), "--text", TEXT.toString(), "--windows",
        String.valueOf(WINDOWS), "--max-ppl-increase", "1", "-o", report.toString()};
    String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    FfnFuseCli.execute(all);
    return new ObjectMapper().readTree(report.toFile());
  }

  static void assertMatches(IndependentOracle.Stats want, JsonNode got) {
    assertEquals(want.tokens(), got.get("tokens").asLong(), "predicted tokens");
    assertRelative(want.perplexityP(), got.get("original").get("perplexity").asDouble(), "original perplexity");
    assertRelative(want.perplexityQ(), got.get("fused").get("perplexity").asDouble(), "fused perplexity");
    assertRelative(want.klPq(), got.get("kl").asDouble(), "KL(original‖fused)");
    assertEquals(want.top1(), got.get("top1").asDouble(), 1e-12, "top-1 agreement");
  }

  @Nested
  class Verify {
    @Test
    void window255_matchesTheOracleOfBosPlus255Tokens() throws Exception {
      IndependentOracle.Stats want = IndependentOracle.compare(original, fused,
          IndependentOracle.windows(tokens, 1, 255, WINDOWS));
      System.err.printf("[measure] oracle BOS+255 ×%d: ppl %.6f → %.6f, KL %.6f (reverse %.6f), top-1 %.5f%n",
          WINDOWS, want.perplexityP(), want.perplexityQ(), want.klPq(), want.klQp(), want.top1());
      assertEquals(WINDOWS * 255, want.tokens());
      assertTrue(Math.abs(want.klPq() - want.klQp()) > 1e3 * REL * want.klPq(),
          "the two KL directions differ, so a swapped direction fails this test");
      assertMatches(want, verifyJson("--window", "255"));
    }

    @Test
    void defaultWindow_isBosPlus256Tokens() throws Exception {
      IndependentOracle.Stats want = IndependentOracle.compare(original, fused,
          IndependentOracle.windows(tokens, 1, 256, WINDOWS));
      assertEquals(WINDOWS * 256, want.tokens());
      assertMatches(want, verifyJson());
    }
  }

  @Nested
  class Windows {
    @Test
    void cut_withBos_isBosThenTheNextTokensBackToBack() throws Exception {
      long[] ours = EvalTokens.tokenize(TEXT, NAS.resolve("tokenizer.json"));
      assertArrayEquals(tokens, ours, "tokenization");
      long[][] want = IndependentOracle.windows(tokens, 1, 255, WINDOWS);
      long[][] got = TokenWindows.cut(ours, Optional.of(1L), 255, WINDOWS);
      for (int w = 0; w < WINDOWS; w++) {
        assertArrayEquals(want[w], got[w], "window " + w);
      }
    }

    @Test
    void perplexityWithBos_matchesTheOracle() throws Exception {
      IndependentOracle.Stats want = IndependentOracle.compare(original, original,
          IndependentOracle.windows(tokens, 1, 255, WINDOWS));
      try (OrtCausalLm lm = OrtCausalLm.open(original, 0)) {
        Perplexity.Result r = Perplexity.withBos(lm, tokens, 1, 255, WINDOWS);
        assertEquals(want.tokens(), r.tokens());
        assertRelative(want.perplexityP(), r.perplexity(), "perplexity");
      }
    }
  }
}

package org.ffnfuse.converters.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecipeYamlTest {
  @TempDir Path dir;
  Path file;

  @BeforeEach
  void texts() throws Exception {
    Files.writeString(dir.resolve("calib.txt"), "calibration text");
    Files.writeString(dir.resolve("eval.txt"), "evaluation text");
    file = dir.resolve("recipe.yaml");
  }

  Recipe parse(String yaml) throws ModelFormatException {
    return RecipeYaml.parse(yaml, file, dir);
  }

  /** Parses {@code yaml}, expecting an error whose message contains every fragment. */
  ModelFormatException error(String yaml, String... fragments) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> parse(yaml));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
    return e;
  }

  @Nested
  class Valid {
    @Test
    void parse_everyKey_givesTheRecords() throws Exception {
      Recipe r = parse("""
          description: fuse the attention-free run
          seed: 7
          threads: 2
          calibration:
            text: calib.txt
            tokens: 4096
            window: 128
            windows: 8
          analyze: false
          drop_attention:
            blocks: "8-14"
          plan:
            chains: "8-13,20-25"
          fuse:
            dtype: fp32
            keep_placeholders: true
            inline: true
          output:
            format: onnx
            dtype: fp16
          verify:
            text: eval.txt
            window: 64
            windows: 4
            max_ppl_increase: 0.1
            max_kl: 0.5
            min_top1: 0.8
            require_cuda: true
          bench:
            batch: [1, 32]
            seq: 128
            warmup: 1
            repeats: 5
          """);
      assertEquals("fuse the attention-free run", r.description().orElseThrow());
      assertEquals(7, r.seed());
      assertEquals(2, r.threads());
      assertEquals(new Calibration(dir.resolve("calib.txt"), OptionalInt.of(4096), 128, 8), r.calibration()
          .orElseThrow());
      assertEquals(List.of(8, 9, 10, 11, 12, 13, 14), List.copyOf(((DropAttentionStep.Blocks) r.dropAttention()
          .orElseThrow()).blocks()));
      assertEquals(FusionPlan.parse("8-13,20-25"), ((PlanStep.Chains) r.plan().orElseThrow()).plan());
      assertEquals(new FuseOptions(java.util.Optional.of(WeightDtype.FP32), true, true), r.fuse());
      assertEquals(new OutputOptions(java.util.Optional.of(OutputFormat.ONNX), WeightDtype.FP16), r.output());
      VerifyOptions v = r.verify().orElseThrow();
      assertEquals(dir.resolve("eval.txt"), v.text().orElseThrow());
      assertEquals(64, v.window());
      assertEquals(0.8, v.minTop1().getAsDouble());
      assertTrue(v.requireCuda());
      assertEquals(new BenchOptions(List.of(1, 32), 128, 1, 5), r.bench().orElseThrow());
      assertFalse(r.needsAnalysis());
    }

    @Test
    void parse_empty_isTheDefaults() throws Exception {
      Recipe r = parse("");
      assertEquals(Recipe.builder().build(), r);
      assertEquals(Recipe.DEFAULT_SEED, r.seed());
      assertTrue(r.plan().isEmpty() && r.verify().isEmpty() && r.bench().isEmpty());
    }

    @Test
    void parse_sectionsWithoutValues_areDefaults() throws Exception {
      Recipe r = parse("calibration: {text: calib.txt}\nverify:\nbench:\n");
      assertEquals(dir.resolve("calib.txt"), r.verifyText().orElseThrow());
      assertEquals(BenchOptions.defaults(), r.bench().orElseThrow());
      assertEquals(VerifyOptions.DEFAULT_WINDOWS, r.verify().orElseThrow().windows());
    }

    @Test
    void parse_autoAndThreshold_needAnalysis() throws Exception {
      Recipe r = parse("""
          calibration: {text: calib.txt}
          drop_attention: {auto: 7, contiguous: true}
          plan: {threshold: 0.05, include_last: true}
          """);
      assertEquals(new DropAttentionStep.Auto(7, true), r.dropAttention().orElseThrow());
      assertEquals(new PlanStep.Threshold(0.05, true), r.plan().orElseThrow());
      assertTrue(r.needsAnalysis());
      assertEquals(new PlanStep.Target(6, false), parse("calibration: {text: calib.txt}\nplan: {fuse: 6}\n").plan()
          .orElseThrow());
    }

    @Test
    void parse_rangesAsNumbersAndLists_areAccepted() throws Exception {
      assertEquals(FusionPlan.parse("8-13,20-25"), ((PlanStep.Chains) parse("plan: {chains: [8-13, 20-25]}")
          .plan().orElseThrow()).plan());
      assertEquals(List.of(5), List.copyOf(((DropAttentionStep.Blocks) parse("drop_attention: {blocks: 5}")
          .dropAttention().orElseThrow()).blocks()));
      assertEquals(List.of(7), parse("bench: {batch: 7}").bench().orElseThrow().batches());
    }

    @Test
    void toYaml_roundTrips(@TempDir Path other) throws Exception {
      Recipe r = parse("""
          description: round trip
          calibration: {text: calib.txt, tokens: 100}
          drop_attention: {blocks: "3,5,8-10"}
          plan: {threshold: 0.25}
          fuse: {dtype: bf16}
          output: {format: checkpoint}
          verify: {text: eval.txt, max_kl: 0.5}
          bench: {batch: [2, 4]}
          """);
      String yaml = RecipeYaml.toYaml(r);
      assertTrue(yaml.contains("blocks: 3,5,8-10") || yaml.contains("blocks: \"3,5,8-10\""), yaml);
      assertEquals(r, RecipeYaml.parse(yaml, other.resolve("copy.yaml"), other));
    }

    @Test
    void read_relativePaths_resolveAgainstTheRecipesFolder(@TempDir Path cwd) throws Exception {
      Path sub = Files.createDirectories(dir.resolve("recipes"));
      Path f = Files.writeString(sub.resolve("r.yaml"), "verify: {text: ../eval.txt}\n");
      assertEquals(dir.resolve("eval.txt"), RecipeYaml.read(f).verifyText().orElseThrow());
    }
  }

  @Nested
  class Errors {
    @Test
    void unknownTopLevelKey_namesKeyLineAndSuggestion() {
      error("seed: 1\ndrop_atention:\n  blocks: 8-14\n", "line 2: ", "unknown key 'drop_atention'",
          "did you mean 'drop_attention'?", "known keys at the top level: description, seed");
    }

    @Test
    void unknownNestedKey_namesDottedKeyAndLine() {
      error("plan:\n  chains: 8-13\nverify:\n  text: eval.txt\n  max_perplexity: 3\n", "line 5: ",
          "unknown key 'verify.max_perplexity'", "known keys in verify: text, window");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "seed: abc|line 1: seed: expected an integer, got string \"abc\"",
        "threads: -1|line 1: threads: must be between 0 and 4096, got -1",
        "analyze: yes please|analyze: expected true or false",
        "calibration: {text: calib.txt, window: 1}|calibration.window: must be between 2",
        "calibration: {text: calib.txt, windows: 0}|calibration.windows: must be ≥ 1, got 0",
        "calibration: {text: calib.txt, tokens: 2.5}|calibration.tokens: expected an integer, got number 2.5",
        "calibration: {window: 8}|calibration: needs 'text'",
        "calibration: {text: missing.txt}|calibration.text: file",
        "calibration: [a, b]|calibration: expected a mapping",
        "drop_attention: {blocks: 8..14}|drop_attention.blocks: block range '8..14' is not FIRST-LAST",
        "drop_attention: {blocks: 8-14, auto: 3}|drop_attention.auto: give 'blocks' or 'auto', not both",
        "drop_attention: {blocks: 8-14, contiguous: true}|drop_attention.contiguous: applies to 'auto' only",
        "drop_attention: {contiguous: true}|drop_attention: needs 'blocks'",
        "drop_attention: {auto: 0}|drop_attention.auto: must be between 1",
        "drop_attention: {blocks: true}|drop_attention.blocks: expected block ranges",
        "plan: {chains: 8-13, fuse: 4}|plan.fuse: give one of 'chains', 'auto', 'threshold' or 'fuse', not chains and fuse",
        "plan: {}|plan: needs one of 'chains'",
        "plan: {auto: false}|plan.auto: is false, which plans nothing",
        "plan: {auto: true, threshold: 1}|plan.threshold: give one of",
        "plan: {chains: 8-13, include_last: true}|plan.include_last: applies to 'auto', 'threshold' and 'fuse' only",
        "plan: {chains: 8-13-2}|plan.chains: chain '8-13-2' is not of the form FIRST-LAST",
        "plan: {chains: '8-13,10-12'}|plan.chains: chains 8-13 and 10-12 overlap",
        "plan: {chains: []}|plan.chains: is an empty list",
        "plan: {chains: 8-13, threshold: x}|give one of",
        "fuse: {dtype: int8}|fuse.dtype: must be same, fp32, fp16 or bf16, got \"int8\"",
        "fuse: {keep_placeholders: 1}|fuse.keep_placeholders: expected true or false, got number 1",
        "output: {format: gguf}|output.format: must be checkpoint or onnx, got \"gguf\"",
        "output: {dtype: ''}|output.dtype: expected a non-empty string, got string \"\"",
        "output: {format: 3}|output.format: expected a non-empty string, got number 3",
        "analyze: yes|analyze: expected true or false, got string \"yes\"",
        "verify: {window: 64}|verify: needs 'text'",
        "verify: {text: eval.txt, min_top1: 1.5}|verify.min_top1: must be between 0.0 and 1.0, got 1.5",
        "verify: {text: eval.txt, max_kl: -1}|verify.max_kl: must be ≥ 0.0, got -1",
        "verify: {text: eval.txt, max_ppl_increase: '5%'}|verify.max_ppl_increase: expected a number",
        "bench: {batch: [1, 0]}|bench.batch: expected positive integers like [1, 32], got number 0",
        "bench: {batch: []}|bench.batch: is an empty list",
        "bench: {seq: 0}|bench.seq: must be between 1",
        "bench: {repeats: 0}|bench.repeats: must be between 1",
        "description: ~|description: has no value",
        "analyze: true|analyze: needs a calibration section",
        "drop_attention: {auto: 7}|drop_attention: 'auto' ranks attention on calibration text",
        "plan: {threshold: 0.1}|plan: 'auto', 'threshold' and 'fuse' plan from an analysis of calibration text",
        "plan: {fuse: 1}|plan.fuse: must be between 2",
        "plan: {threshold: -0.5}|plan.threshold: must be ≥ 0.0",
    })
    void badValue_namesKeyAndProblem(String yaml, String expected) {
      error(yaml.replace("\\n", "\n"), expected);
    }

    @Test
    void duplicateKey_namesBothLines() {
      error("seed: 1\nthreads: 2\nseed: 3\n", "line 3: key 'seed' appears twice (first on line 1)");
    }

    @Test
    void syntaxError_namesLine() {
      error("plan:\n  chains: [8-13\nfuse: {}\n", "not valid YAML");
    }

    @Test
    void secondDocument_isRefused() {
      error("seed: 1\n---\nseed: 2\n", "a second YAML document");
    }

    @Test
    void notAMapping_isRefused() {
      error("- plan\n- fuse\n", "a recipe is a YAML mapping");
    }

    @Test
    void read_missingFile_throwsNoSuchFile() {
      assertThrows(NoSuchFileException.class, () -> RecipeYaml.read(dir.resolve("nope.yaml")));
    }

    @Test
    void read_notUtf8_throws() throws Exception {
      Path f = Files.write(dir.resolve("bad.yaml"), new byte[] {'s', 'e', 'e', 'd', ':', ' ', (byte) 0xff});
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> RecipeYaml.read(f));
      assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void read_hugeFile_throwsBeforeParsing() throws Exception {
      Path f = Files.write(dir.resolve("huge.yaml"), new byte[(int) RecipeYaml.MAX_BYTES + 1]);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> RecipeYaml.read(f));
      assertTrue(e.getMessage().contains("a recipe is a small YAML file"), e.getMessage());
    }

    @Test
    void aliasBomb_isRefused() {
      StringBuilder sb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
      for (char c = 'b'; c <= 'j'; c++) {
        sb.append(c).append(": &").append(c).append(" [").append("*").append((char) (c - 1));
        for (int i = 0; i < 9; i++) {
          sb.append(", *").append((char) (c - 1));
        }
        sb.append("]\n");
      }
      error(sb.toString(), "line 1: a: YAML anchors and aliases (&name, *name) are not supported");
    }
  }

  @Test
  void distance_isLevenshtein() {
    assertEquals(0, YamlSection.distance("plan", "plan"));
    assertEquals(1, YamlSection.distance("drop_atention", "drop_attention"));
    assertEquals(3, YamlSection.distance("", "abc"));
  }

  @Test
  void ranges_compactsRuns() {
    assertEquals("3,5,8-10", RecipeYaml.ranges(new java.util.TreeSet<>(List.of(3, 5, 8, 9, 10))));
    assertEquals("7", RecipeYaml.ranges(new java.util.TreeSet<>(List.of(7))));
  }
}

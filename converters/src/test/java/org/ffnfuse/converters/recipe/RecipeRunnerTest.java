package org.ffnfuse.converters.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.verify.IndependentOracle;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecipeRunnerTest {
  private static final Path NAS = Fixtures.bundled("nas-austen-16l");

  /** Fuse 8-13 of nas-austen-16l, verify on a few short windows of a text tokenized by its tokenizer. */
  private static Recipe nasRecipe(Path tmp, OutputFormat format) throws Exception {
    Path text = RecipeTesting.text(tmp.resolve("in"));
    return RecipeYaml.parse("""
        description: nas-austen fused over 8-13
        plan: {chains: "8-13"}
        output: {format: %s}
        verify: {text: %s, window: 64, windows: 3}
        """.formatted(format.option(), text), tmp.resolve("in/recipe.yaml"), tmp);
  }

  /** The recipe's verify step (3 windows of BOS + 64 tokens), computed without it from fp32 exports. */
  private static IndependentOracle.Stats oracle(Path dir, Path text, Path fused) throws Exception {
    Path a = dir.resolve("original.onnx");
    Path b = dir.resolve("fused.onnx");
    OnnxExporter.export(NAS, a, ExportOptions.defaults().withWeightType(DType.F32));
    OnnxExporter.export(fused, b, ExportOptions.defaults().withWeightType(DType.F32));
    long[] tokens = IndependentOracle.tokenize(text, NAS.resolve("tokenizer.json"));
    return IndependentOracle.compare(a, b, IndependentOracle.windows(tokens, 1, 64, 3));
  }

  @Nested
  class EndToEnd {
    @Test
    void run_nasCheckpointChains_writesModelReportAndChecksums(@TempDir Path tmp, @TempDir Path oracle)
        throws Exception {
      Path out = tmp.resolve("out");
      List<String> events = new ArrayList<>();
      RunReport r = RecipeRunner.run(NAS, nasRecipe(tmp, OutputFormat.CHECKPOINT), out, new RunListener() {
        @Override
        public void stepStarted(String step, long total) {
          events.add("start " + step + " " + total);
        }

        @Override
        public void stepFinished(String step, double seconds) {
          events.add("end " + step);
        }
      });

      assertTrue(r.passed());
      assertEquals(FusionPlan.parse("8-13"), r.plan().orElseThrow());
      ModelConfig fused = HfConfigReader.read(out.resolve("model"));
      assertEquals(16 - 5, fused.numLayers());
      for (String f : List.of("plan.json", "verify.json", "report.json", "summary.md", "recipe.yaml",
          "SHA256SUMS")) {
        assertTrue(Files.isRegularFile(out.resolve(f)), f);
      }
      assertFalse(Files.exists(out.resolve(".work")));
      assertEquals(List.of(), Sha256Sums.check(out));
      Map<String, String> sums = Sha256Sums.compute(out);
      assertTrue(sums.keySet().containsAll(List.of("model/config.json", "plan.json", "verify.json")), sums.keySet()
          .toString());
      JsonNode verify = new ObjectMapper().readTree(out.resolve("verify.json").toFile());
      double before = verify.path("original").path("perplexity").asDouble();
      double after = verify.path("fused").path("perplexity").asDouble();
      assertEquals(3, verify.path("windows").asInt());
      IndependentOracle.Stats want = oracle(oracle, tmp.resolve("in/text.txt"), out.resolve("model"));
      assertEquals(want.perplexityP(), before, 1e-6 * before, "original perplexity vs the test's oracle");
      assertEquals(want.perplexityQ(), after, 1e-6 * after, "fused perplexity vs the test's oracle");
      assertEquals(want.klPq(), verify.path("kl").asDouble(), 1e-6 * want.klPq(), "KL(original‖fused)");
      assertEquals(before, r.perplexityBefore().getAsDouble(), 0);
      System.err.printf("[measure] nas-austen-16l fused 8-13 (3 windows of 64): perplexity %.3f → %.3f; %.1f s%n",
          before, after, r.seconds());
      assertTrue(events.containsAll(List.of("start fuse 0", "end fuse", "start verify 3", "end verify")),
          events.toString());
      try (Stream<Path> s = Files.list(tmp)) {
        assertEquals(List.of("in", "out"), s.map(p -> p.getFileName().toString()).sorted().toList(),
            "no temporary folder is left beside the output");
      }
    }

    @Test
    void run_onnxOutputWithBench_writesOnnxAndBenchTables(@TempDir Path tmp) throws Exception {
      Path ids = RecipeTesting.ids(tmp.resolve("in"), "ids.json", 64, 512, 5);
      Recipe recipe = RecipeYaml.parse("""
          drop_attention: {blocks: "3"}
          plan: {chains: "2-3"}
          output: {format: onnx}
          verify: {text: %s, window: 16, windows: 2}
          bench: {batch: [1, 2], seq: 8, warmup: 0, repeats: 2}
          """.formatted(ids), tmp.resolve("in/recipe.yaml"), tmp);
      Path out = tmp.resolve("out");
      RunReport r = RecipeRunner.run(Fixtures.bundled("random/llama"), recipe, out, RunListener.NONE);
      assertTrue(Files.isRegularFile(out.resolve("model/model.onnx")));
      assertTrue(Files.isRegularFile(out.resolve("model/generation_config.json")), "side files travel along");
      assertEquals(out.resolve("model/model.onnx"), r.modelPath());
      assertEquals(List.of("original", "original", "fused", "fused"), r.bench().stream().map(b -> b.model())
          .toList());
      assertTrue(Files.readString(out.resolve("bench.md")).contains("| fused | 2 |"));
      assertTrue(Files.readString(out.resolve("summary.md")).contains("## Bench"));
      assertEquals(List.of(), Sha256Sums.check(out));
    }

    @Test
    void run_thresholdsExceeded_writesOutputAndReportsFailures(@TempDir Path tmp) throws Exception {
      Path text = RecipeTesting.text(tmp.resolve("in"));
      Recipe recipe = RecipeYaml.parse("""
          plan: {chains: "8-14"}
          verify: {text: %s, window: 32, windows: 2, max_kl: 0.0, min_top1: 1.0}
          """.formatted(text), tmp.resolve("in/recipe.yaml"), tmp);
      Path out = tmp.resolve("out");
      RunReport r = RecipeRunner.run(NAS, recipe, out, RunListener.NONE);
      assertFalse(r.passed());
      assertTrue(r.failures().stream().anyMatch(f -> f.contains("max_kl")), r.failures().toString());
      assertTrue(r.failures().stream().anyMatch(f -> f.contains("min_top1")), r.failures().toString());
      JsonNode verify = new ObjectMapper().readTree(out.resolve("verify.json").toFile());
      assertFalse(verify.path("passed").asBoolean(true));
      assertTrue(Files.readString(out.resolve("summary.md")).contains("FAILED checks"));
    }

    @Test
    void run_dropAttentionThenFuse_randomLlamaToOnnx(@TempDir Path tmp) throws Exception {
      Path ids = RecipeTesting.ids(tmp.resolve("in"), "ids.json", 200, 512, 7);
      Recipe recipe = RecipeYaml.parse("""
          drop_attention: {blocks: "2-3"}
          plan: {chains: "1-3"}
          output: {format: onnx, dtype: fp32}
          verify: {text: %s, window: 16, windows: 4}
          """.formatted(ids), tmp.resolve("in/recipe.yaml"), tmp);
      RunReport r = RecipeRunner.run(Fixtures.bundled("random/llama"), recipe, tmp.resolve("out"),
          RunListener.NONE);
      assertEquals(List.of(2, 3), r.droppedAttention());
      assertEquals(4, r.verify().orElseThrow().windows());
      assertEquals(List.of(), Sha256Sums.check(tmp.resolve("out")));
    }

    @Test
    void run_twice_sameModelFilesAndPlan(@TempDir Path tmp) throws Exception {
      Recipe recipe = RecipeYaml.parse("plan: {chains: \"8-13\"}\n", tmp.resolve("recipe.yaml"), tmp);
      RecipeRunner.run(NAS, recipe, tmp.resolve("a"), RunListener.NONE);
      RecipeRunner.run(NAS, recipe, tmp.resolve("b"), RunListener.NONE);
      Map<String, String> a = Sha256Sums.compute(tmp.resolve("a"));
      Map<String, String> b = Sha256Sums.compute(tmp.resolve("b"));
      for (String f : a.keySet()) {
        if (f.startsWith("model/") || f.equals("plan.json") || f.equals("recipe.yaml")) {
          assertEquals(a.get(f), b.get(f), f);
        }
      }
      assertEquals(a.keySet(), b.keySet());
    }
  }

  @Nested
  class Analysis {
    @Test
    void run_planAuto_nasPlansTheAttentionFreeRunAndWritesTheReport(@TempDir Path tmp) throws Exception {
      Path text = RecipeTesting.text(tmp.resolve("in"));
      Recipe recipe = RecipeYaml.parse("""
          calibration: {text: %s, window: 16, windows: 1}
          plan: {auto: true}
          output: {format: onnx}
          """.formatted(text), tmp.resolve("in/recipe.yaml"), tmp);
      Path out = tmp.resolve("out");
      RunReport r = RecipeRunner.run(NAS, recipe, out, RunListener.NONE);
      System.err.println("[measure] steps " + r.steps());
      assertTrue(r.analyzed() && r.planFromAnalysis());
      assertEquals(FusionPlan.parse("8-13"), r.plan().orElseThrow(), "the run 8..14 without its last FFN");
      for (String f : List.of("report.json", "block-matrix.png", "ffn-matrix.csv", "plan.json")) {
        assertTrue(Files.isRegularFile(out.resolve("analysis").resolve(f)), f);
      }
      JsonNode plan = new ObjectMapper().readTree(out.resolve("plan.json").toFile());
      assertEquals("analysis", plan.path("source").asText());
      assertEquals(List.of(), Sha256Sums.check(out));
      assertTrue(Sha256Sums.compute(out).containsKey("analysis/block-matrix.png"));
    }

    @Test
    void run_dropAttentionAutoContiguous_thenPlan_randomLlama(@TempDir Path tmp) throws Exception {
      Path ids = RecipeTesting.ids(tmp.resolve("in"), "ids.json", 256, 512, 3);
      Recipe recipe = RecipeYaml.parse("""
          calibration: {text: %s, window: 32, windows: 4}
          drop_attention: {auto: 2, contiguous: true}
          plan: {auto: true, include_last: true}
          output: {format: onnx}
          verify: {text: %s, window: 32, windows: 2}
          """.formatted(ids, ids), tmp.resolve("in/recipe.yaml"), tmp);
      RunReport r = RecipeRunner.run(Fixtures.bundled("random/llama"), recipe, tmp.resolve("out"),
          RunListener.NONE);
      assertEquals(2, r.droppedAttention().size());
      assertEquals(1, r.droppedAttention().get(1) - r.droppedAttention().get(0), "contiguous");
      assertEquals(List.of(0, 1, 2, 3), List.copyOf(r.attentionKl().keySet()));
      int first = r.droppedAttention().get(0);
      assertEquals(FusionPlan.parse(first + "-" + (first + 1)), r.plan().orElseThrow(),
          "the run of dropped blocks, its last FFN included");
      System.err.println("[measure] steps " + r.steps());
      assertTrue(r.verify().isPresent());
    }

    @Test
    void run_noAttentionFreeRun_plannerFindsNothingAndSaysWhy(@TempDir Path tmp) throws Exception {
      Path ids = RecipeTesting.ids(tmp.resolve("in"), "ids.json", 64, 512, 4);
      Recipe recipe = RecipeYaml.parse("""
          calibration: {text: %s, window: 16, windows: 2}
          plan: {threshold: 10}
          """.formatted(ids), tmp.resolve("in/recipe.yaml"), tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(Fixtures.bundled("random/llama"), recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().startsWith("plan: the planner found no chain to fuse (threshold 10.0"),
          e.getMessage());
      assertTrue(e.getMessage().contains("attention-free runs: []"), e.getMessage());
      assertFalse(Files.exists(tmp.resolve("out")));
    }
  }

  @Nested
  class OnnxInput {
    /** random/llama's dynamo export, alone in a folder. */
    private Path onnx(Path tmp) throws Exception {
      Path dir = Files.createDirectories(tmp.resolve("onnx"));
      return Files.copy(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), dir.resolve("model.onnx"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void run_dropThenFuse_writesFusedGraph(boolean inline, @TempDir Path tmp) throws Exception {
      Path ids = RecipeTesting.ids(tmp.resolve("in"), "ids.json", 64, 512, 9);
      Recipe recipe = RecipeYaml.parse("""
          drop_attention: {blocks: "2-3"}
          plan: {chains: "1-3"}
          fuse: {inline: %s}
          verify: {text: %s, window: 16, windows: 2}
          """.formatted(inline, ids), tmp.resolve("in/recipe.yaml"), tmp);
      Path out = tmp.resolve("out");
      RunReport r = RecipeRunner.run(onnx(tmp), recipe, out, RunListener.NONE);
      assertEquals(OutputFormat.ONNX, r.format());
      assertEquals(List.of(2, 3), r.droppedAttention());
      try (OnnxModel m = OnnxModel.open(r.modelPath())) {
        boolean fusedNode = m.proto().getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("FusedFFN"));
        assertEquals(!inline, fusedNode, "one FusedFFN node, or its operators inline");
      }
      double before = r.perplexityBefore().getAsDouble();
      assertTrue(before > 100, "random weights: near-uniform over 512 tokens, got " + before);
      assertEquals(List.of(), Sha256Sums.check(out));
    }

    @Test
    void run_bf16ForOnnx_refusedUpFront(@TempDir Path tmp) throws Exception {
      Recipe recipe = RecipeYaml.parse("plan: {chains: \"1\"}\nfuse: {dtype: bf16}\n", tmp.resolve("r.yaml"), tmp);
      Path model = onnx(tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(model, recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().startsWith("fuse.dtype: ONNX output supports fp32 and fp16"), e.getMessage());
    }

    @Test
    void run_checkpointFormatForOnnx_refused(@TempDir Path tmp) throws Exception {
      Recipe recipe = RecipeYaml.parse("plan: {chains: \"1\"}\noutput: {format: checkpoint}\n",
          tmp.resolve("r.yaml"), tmp);
      Path model = onnx(tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(model, recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().startsWith("output.format: checkpoint needs a checkpoint input"), e.getMessage());
    }
  }

  @Nested
  class RefusedBeforeWriting {
    @Test
    void run_chainOverAttention_throwsAndWritesNothing(@TempDir Path tmp) throws Exception {
      Recipe recipe = RecipeYaml.parse("plan: {chains: \"5-9\"}\n", tmp.resolve("recipe.yaml"), tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(NAS, recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().startsWith("plan.chains: chain 5-9: block 6 has attention"), e.getMessage());
      assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void run_dropBlockOutOfRange_throws(@TempDir Path tmp) throws Exception {
      Recipe recipe = RecipeYaml.parse("drop_attention: {blocks: \"3-20\"}\n", tmp.resolve("r.yaml"), tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(NAS, recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().contains("drop_attention.blocks: block 16 does not exist"), e.getMessage());
    }

    @Test
    void run_checkpointOutputForQwen2_pointsToOnnx(@TempDir Path tmp) throws Exception {
      Recipe recipe = RecipeYaml.parse("plan: {chains: \"1\"}\n", tmp.resolve("r.yaml"), tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(Fixtures.bundled("random/qwen2"), recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().startsWith("output.format: checkpoint:"), e.getMessage());
      assertTrue(e.getMessage().contains("output.format: onnx"), e.getMessage());
    }

    @Test
    void run_textTooShortForOneWindow_namesTheKey(@TempDir Path tmp) throws Exception {
      Path text = Files.writeString(tmp.resolve("short.txt"), "Too short.");
      Recipe recipe = RecipeYaml.parse("verify: {text: short.txt}\n", tmp.resolve("r.yaml"), tmp);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RecipeRunner.run(NAS, recipe, tmp.resolve("out"), RunListener.NONE));
      assertTrue(e.getMessage().startsWith("verify.text: " + text), e.getMessage());
    }

    @Test
    void run_outputNotEmpty_throwsAndLeavesItAlone(@TempDir Path tmp) throws Exception {
      Path out = Files.createDirectories(tmp.resolve("out"));
      Files.writeString(out.resolve("keep.txt"), "mine");
      Recipe recipe = RecipeYaml.parse("plan: {chains: \"8-13\"}\n", tmp.resolve("r.yaml"), tmp);
      assertThrows(FileAlreadyExistsException.class, () -> RecipeRunner.run(NAS, recipe, out, RunListener.NONE));
      try (Stream<Path> s = Files.list(out)) {
        assertEquals(List.of(out.resolve("keep.txt")), s.toList());
      }
    }

    @Test
    void run_notAModel_throws(@TempDir Path tmp) throws Exception {
      Recipe recipe = Recipe.builder().build();
      assertThrows(IllegalArgumentException.class, () -> RecipeRunner.run(tmp, recipe, tmp.resolve("out"),
          RunListener.NONE));
    }
  }
}

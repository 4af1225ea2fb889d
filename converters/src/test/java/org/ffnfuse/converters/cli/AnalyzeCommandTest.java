package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.ReportFiles;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** analyze → plan, and drop-attention --auto / ONNX input, on bundled models with few tokens. */
class AnalyzeCommandTest {
  @TempDir Path tmp;

  static final Path NAS = Fixtures.bundled("nas-austen-16l");
  static final Path BROWN = Fixtures.bundled("nas-austen-16l").resolve("../../text/brown-excerpt.txt").normalize();

  @Nested
  class AnalyzeAndPlan {
    @Test
    void analyzeThenPlan_nasAusten_reportAndPlansInsideTheRun() throws Exception {
      Path report = tmp.resolve("report");
      assertEquals(0, FfnFuseCli.execute("analyze", NAS.toString(), "--text", BROWN.toString(), "--tokens", "64",
          "--window", "32", "--batch", "2", "--quiet", "-o", report.toString()));
      AnalysisResult r = ReportFiles.read(report);
      assertEquals(16, r.blocks());
      assertEquals(1 + 16 + 16 + 9, r.passes().perBatch(), "9 blocks keep attention");
      assertEquals(r.passes().perBatch(), r.passes().total(), "2 windows, one batch");
      assertEquals(FusionPlan.parse("8-13"), PlanFile.read(report.resolve("plan.json")), "default plan");

      Path plan = tmp.resolve("plan.json");
      assertEquals(0, FfnFuseCli.execute("plan", report.toString(), "--fuse", "4", "-o", plan.toString()));
      FusionPlan p = PlanFile.read(plan);
      assertEquals(4, p.chains().stream().mapToInt(c -> c.last() - c.first() + 1).sum());
      assertTrue(p.chains().stream().allMatch(c -> c.first() >= 7 && c.last() <= 13), p.toString());
      JsonNode json = new ObjectMapper().readTree(plan.toFile());
      assertEquals("ffnMatrix", json.get("scoredBy").asText());
      assertTrue(json.get("chains").get(0).has("mMax"));

      Path verified = tmp.resolve("verified.json");
      assertEquals(0, FfnFuseCli.execute("plan", report.toString(), "--verify", BROWN.toString(), "--window", "32",
          "--verify-windows", "1", "--candidates", "2", "-o", verified.toString()));
      JsonNode v = new ObjectMapper().readTree(verified.toFile());
      assertEquals(2, v.get("candidates").size());
      double best = Math.min(v.get("candidates").get(0).get("perplexity").asDouble(),
          v.get("candidates").get(1).get("perplexity").asDouble());
      assertEquals(best, v.get("verifiedPerplexity").asDouble(), 1e-12, "keeps the best");
      assertTrue(v.get("unfusedPerplexity").asDouble() > 1);
    }

    @Test
    void plan_nothingQualifies_failsWithHint() throws Exception {
      Path report = tmp.resolve("report");
      assertEquals(0, FfnFuseCli.execute("analyze", Fixtures.bundled("stories260k").toString(), "--text",
          Fixtures.bundled("stories260k").resolve("tinystories-tokens.json").toString(), "--tokens", "64",
          "--window", "32", "--no-ffn-matrix", "--quiet", "-o", report.toString()));
      assertTrue(Files.exists(report.resolve("block-matrix.png")));
      assertTrue(Files.notExists(report.resolve("plan.json")), "every block has attention: nothing to fuse");
      assertEquals(picocli.CommandLine.ExitCode.USAGE, FfnFuseCli.execute("plan", report.toString(), "-o",
          tmp.resolve("p.json").toString()));
    }
  }

  @Nested
  class DropAttention {
    @Test
    void auto_contiguous_removesAdjacentAttention() throws Exception {
      Path out = tmp.resolve("dropped");
      assertEquals(0, FfnFuseCli.execute("drop-attention", Fixtures.bundled("random/llama").toString(), "--auto",
          "2", "--contiguous", "--text", Fixtures.bundled("stories260k").resolve("tinystories-tokens.json")
              .toString(), "--tokens", "64", "--window", "16", "--quiet", "-o", out.toString()));
      ModelConfig c = HfConfigReader.read(out);
      int removed = 0;
      int first = -1;
      for (int i = 0; i < c.numLayers(); i++) {
        if (c.block(i).attention().kind() == AttentionKind.NONE) {
          removed++;
          first = first < 0 ? i : first;
        }
      }
      assertEquals(2, removed);
      assertEquals(AttentionKind.NONE, c.block(first + 1).attention().kind(), "adjacent");
    }

    @Test
    void blocks_onnxInput_removesInTheGraph() throws Exception {
      Path out = tmp.resolve("dropped.onnx");
      assertEquals(0, FfnFuseCli.execute("drop-attention", Fixtures.bundled("random/llama").resolve(
          "model.dynamo.onnx").toString(), "--blocks", "1-2", "-o", out.toString()));
      try (OnnxModel m = OnnxModel.open(out)) {
        TransformerStructure s = TransformerStructure.recognize(Graph.of(m.proto(), m::initializer));
        for (int i = 0; i < 4; i++) {
          assertEquals(!Set.of(1, 2).contains(i), s.block(i).attention().isPresent(), "block " + i);
        }
      }
    }

    @Test
    void auto_withoutText_fails() {
      assertEquals(picocli.CommandLine.ExitCode.USAGE, FfnFuseCli.execute("drop-attention",
          Fixtures.bundled("random/llama").toString(), "--auto",
          "2", "-o", tmp.resolve("x").toString()));
    }
  }
}

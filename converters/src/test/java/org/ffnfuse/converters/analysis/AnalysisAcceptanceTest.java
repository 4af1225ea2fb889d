package org.ffnfuse.converters.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import org.ffnfuse.converters.cli.FfnFuseCli;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance runs on real weights: nas-austen-16l's dependency structure and default plan, and the
 * llama-austen-16l pipeline drop-attention → analyze → plan → fuse, with perplexity on austen-persuasion (64 windows
 * of 256 tokens, BOS first) at each step. Calibration is brown-eval, kept short (4-8 windows of 128) so this stays
 * fast; {@code ffnfuse analyze} defaults to 64 windows of 256.
 */
@Tag(Fixtures.ACCEPTANCE)
class AnalysisAcceptanceTest {
  private static final Logger LOG = Logger.getLogger(AnalysisAcceptanceTest.class.getName());

  @TempDir Path tmp;

  static double persuasion(Path model) throws Exception {
    try (RunnableModel rm = RunnableModel.open(model)) {
      return persuasion(rm, rm.onnx());
    }
  }

  /** Perplexity of {@code onnx} on austen-persuasion, tokenized with {@code tokens}' tokenizer and BOS. */
  static double persuasion(RunnableModel tokens, Path onnx) throws Exception {
    CalibrationWindows w = CalibrationWindows.of(tokens, Fixtures.sharedText("austen-persuasion.txt"),
        Optional.empty(), Optional.empty(), 256, 64L * 256);
    assertEquals(64, w.windows());
    return PlanVerification.perplexity(onnx, w, 2);
  }

  static double mean(BlockMatrix m, java.util.function.BiPredicate<Integer, Integer> which) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < m.size(); i++) {
      for (int j = i + 1; j < m.size(); j++) {
        if (which.test(i, j)) {
          s += m.get(i, j);
          n++;
        }
      }
    }
    return s / n;
  }

  @Test
  void nasAusten_brownCalibration_lowDependencyInRunAndDefaultPlanInside() throws Exception {
    Path nas = Fixtures.bundled("nas-austen-16l");
    try (RunnableModel rm = RunnableModel.open(nas)) {
      CalibrationWindows w = CalibrationWindows.of(rm, Fixtures.sharedText("brown-eval.txt"), Optional.empty(),
          Optional.empty(), 128, 8L * 128);
      AnalysisResult r;
      try (AnalysisModel m = AnalysisModel.open(rm.onnx(), 2)) {
        r = CalibrationRunner.run("nas-austen-16l", m, w.ids(), w.bosFirst(), CalibrationOptions.all(), x -> { });
        assertEquals(r.passes().total(), m.passes());
      }
      BlockMatrix b = r.blockMatrix().orElseThrow();
      double inside = mean(b, (i, j) -> i >= 8 && j <= 14);
      double around = mean(b, (i, j) -> i < 8 || j > 14);
      LOG.info(String.format(Locale.ROOT, "nas-austen-16l block matrix: mean inside 8..14 %.4f, around %.4f%n%s",
          inside, around, b));
      assertTrue(inside < around, "dependencies inside the attention-free run are lower than around it");
      FusionPlanner.Plan plan = FusionPlanner.plan(r, FusionPlanner.Options.defaults());
      assertFalse(plan.chains().isEmpty());
      plan.chains().forEach(c -> assertTrue(c.first() >= 8 && c.last() <= 14, "chain " + c + " inside 8..14"));

      Path fused = tmp.resolve("fused.onnx");
      Fusion.fuse(nas, plan.fusionPlan(), fused, "fp32", false);
      double unfused = persuasion(rm, rm.onnx());
      double after = persuasion(rm, fused);
      LOG.info(String.format(Locale.ROOT, "nas-austen-16l persuasion perplexity: unfused %.3f, fused %s %.3f",
          unfused, plan.fusionPlan(), after));
      assertTrue(unfused > 15 && unfused < 30, "documented ≈ 22.9, got " + unfused);
      assertTrue(Double.isFinite(after) && after < 2 * unfused, "fused " + after);
    }
  }

  @Test
  void llamaAusten_dropAttentionAnalyzePlanFuse_producesFusedModel() throws Exception {
    Path llama = Fixtures.shared("llama-austen-16l");
    String brown = Fixtures.sharedText("brown-eval.txt").toString();
    Path dropped = tmp.resolve("dropped");
    assertEquals(0, FfnFuseCli.execute("drop-attention", llama.toString(), "--auto", "7", "--contiguous", "--text",
        brown, "--tokens", "512", "--window", "128", "--quiet", "-o", dropped.toString()));
    ModelConfig c = HfConfigReader.read(dropped);
    int first = -1;
    int last = -1;
    for (int i = 0; i < c.numLayers(); i++) {
      if (c.block(i).attention().kind() == AttentionKind.NONE) {
        first = first < 0 ? i : first;
        last = i;
      }
    }
    assertEquals(6, last - first, "7 contiguous attention blocks removed");

    Path report = tmp.resolve("report");
    assertEquals(0, FfnFuseCli.execute("analyze", dropped.toString(), "--text", brown, "--tokens", "512",
        "--window", "128", "--quiet", "-o", report.toString()));
    Path planFile = tmp.resolve("plan.json");
    assertEquals(0, FfnFuseCli.execute("plan", report.toString(), "-o", planFile.toString()));
    FusionPlan plan = PlanFile.read(planFile);
    for (ChainRange r : plan.chains()) {
      assertTrue(r.first() >= first && r.last() <= last, "chain " + r + " inside the attention-free run " + first
          + ".." + last);
    }
    Path fused = tmp.resolve("fused.onnx");
    assertEquals(0, FfnFuseCli.execute("fuse", dropped.toString(), "--plan", planFile.toString(), "--dtype", "fp32",
        "-o", fused.toString()));

    double original = persuasion(llama);
    double afterDrop = persuasion(dropped);
    double afterFuse;
    try (RunnableModel rm = RunnableModel.open(dropped)) {
      afterFuse = persuasion(rm, fused);
    }
    LOG.info(String.format(Locale.ROOT, "llama-austen-16l persuasion perplexity: original %.3f, attention dropped"
        + " from %d..%d %.3f, fused %s %.3f", original, first, last, afterDrop, plan, afterFuse));
    assertTrue(original > 15 && original < 30, "documented ≈ 22.4, got " + original);
    assertTrue(Double.isFinite(afterDrop) && Double.isFinite(afterFuse));
  }
}

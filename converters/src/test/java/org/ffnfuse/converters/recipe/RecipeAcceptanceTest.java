package org.ffnfuse.converters.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipes on the shared real-weight models and texts (run with -Pacceptance). */
@Tag(Fixtures.ACCEPTANCE)
class RecipeAcceptanceTest {
  private static void report(String what, RunReport r) {
    System.err.printf(Locale.ROOT, "[measure] %s: dropped %s, fused %s, perplexity %.3f → %.3f, KL %.4f, top-1 %.3f,"
        + " %.1f s%n", what, r.droppedAttention(), r.plan().map(Object::toString).orElse("-"),
        r.perplexityBefore().getAsDouble(), r.perplexityAfter().getAsDouble(), r.verify().orElseThrow().kl(),
        r.verify().orElseThrow().top1(), r.seconds());
    r.steps().forEach(s -> System.err.printf(Locale.ROOT, "[measure]   %s %.2f s%n", s.step(), s.seconds()));
  }

  @Test
  void run_llamaAusten_autoDropContiguousThenPlannedFusion(@TempDir Path tmp) throws Exception {
    Recipe recipe = RecipeYaml.parse("""
        calibration: {text: %s, window: 128, windows: 2}
        drop_attention: {auto: 7, contiguous: true}
        plan: {auto: true}
        output: {format: onnx}
        verify: {text: %s, window: 256, windows: 16}
        """.formatted(Fixtures.sharedText("brown-eval.txt"), Fixtures.sharedText("austen-persuasion.txt")),
        tmp.resolve("recipe.yaml"), tmp);
    RunReport r = RecipeRunner.run(Fixtures.shared("llama-austen-16l"), recipe, tmp.resolve("out"),
        RunListener.NONE);
    report("llama-austen-16l drop auto 7 contiguous + plan auto", r);
    assertEquals(7, r.droppedAttention().size());
    assertEquals(6, r.droppedAttention().get(6) - r.droppedAttention().get(0), "one contiguous run");
    assertTrue(r.planFromAnalysis() && r.plan().isPresent());
    assertEquals(List.of(), Sha256Sums.check(tmp.resolve("out")));
  }

  @Test
  void run_nasAustenDynamoOnnx_namedChains(@TempDir Path tmp) throws Exception {
    Path onnx = Fixtures.shared("nas-austen-16l-onnx-dynamo");
    Path nas = Fixtures.shared("nas-austen-16l");
    Path dir = Files.createDirectories(tmp.resolve("model"));
    for (Path p : List.of(onnx.resolve("model.onnx"), onnx.resolve("model.onnx.data"), nas.resolve("config.json"),
        nas.resolve("tokenizer.json"))) {
      // Copies, not links: a data file that is a link leading out of the model's folder is refused.
      Files.copy(p, dir.resolve(p.getFileName()));
    }
    Recipe recipe = RecipeYaml.parse("""
        plan: {chains: "8-13"}
        verify: {text: %s, window: 256, windows: 16}
        """.formatted(Fixtures.sharedText("austen-persuasion.txt")), tmp.resolve("recipe.yaml"), tmp);
    RunReport r = RecipeRunner.run(dir.resolve("model.onnx"), recipe, tmp.resolve("out"), RunListener.NONE);
    report("nas-austen-16l-onnx-dynamo fused 8-13", r);
    assertEquals(FusionPlan.parse("8-13"), r.plan().orElseThrow());
    System.err.println("[measure] CUDA EP: original lacks " + r.verify().orElseThrow().original().unsupportedOps()
        + ", fused lacks " + r.verify().orElseThrow().fused().unsupportedOps());
    assertEquals(r.verify().orElseThrow().original().unsupportedOps(), r.verify().orElseThrow().fused()
        .unsupportedOps(), "fusion adds no operator the CUDA EP lacks");
  }
}

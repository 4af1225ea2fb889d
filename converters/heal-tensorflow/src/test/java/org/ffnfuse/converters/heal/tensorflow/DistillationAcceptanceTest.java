package org.ffnfuse.converters.heal.tensorflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.eval.Perplexity;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.converters.heal.HealMethod;
import org.ffnfuse.converters.heal.HealOptions;
import org.ffnfuse.converters.heal.HealReport;
import org.ffnfuse.converters.heal.Healing;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's measurement for distillation: nas-austen-16l fused over 8..14 (last FFN included; fp32 weights), healed
 * with {@code distill} (defaults: 32768 tokens of brown-eval, Adam 3e-4, up to 8 epochs) through the ServiceLoader, as
 * the CLI does; perplexity on austen-persuasion (held out; 64 windows of 256, BOS first), printed as {@code [measure]}
 * lines. Done when at least half of the perplexity gap between fused and unfused is recovered.
 */
@Tag(Fixtures.ACCEPTANCE)
class DistillationAcceptanceTest {
  private static final long BOS = 1;

  private static double perplexity(Path model) throws Exception {
    long[] ids = EvalTokens.tokenize(Fixtures.sharedText("austen-persuasion.txt"),
        Fixtures.shared("nas-austen-16l").resolve("tokenizer.json"));
    try (RunnableModel m = RunnableModel.open(model); OrtCausalLm lm = OrtCausalLm.open(m.onnx(), 0)) {
      return Perplexity.withBos(lm, ids, BOS, 256, 64).perplexity();
    }
  }

  @Test
  void heal_distillOnBrownEval_recoversHalfThePerplexityGap(@TempDir Path dir) throws Exception {
    Path nas = Fixtures.shared("nas-austen-16l");
    FusionPlan plan = FusionPlan.parse("8-14");
    Path fused = dir.resolve("fused");
    Fusion.fuse(nas, plan, fused, "fp32", false);
    long[] calib = EvalTokens.tokenize(Fixtures.sharedText("brown-eval.txt"), nas.resolve("tokenizer.json"));
    long[][] windows = TokenWindows.cut(calib, Optional.of(BOS), 256, 200);
    Path healed = dir.resolve("healed");

    long t0 = System.nanoTime();
    HealReport r = Healing.heal(nas, fused, plan, windows, true, HealOptions.defaults(HealMethod.DISTILL), healed,
        line -> System.err.println("[measure] " + line));
    double seconds = (System.nanoTime() - t0) / 1e9;

    double unfused = perplexity(nas);
    double fusedPpl = perplexity(fused);
    double healedPpl = perplexity(healed);
    double recovered = (fusedPpl - healedPpl) / (fusedPpl - unfused);
    String summary = String.format(Locale.ROOT, "distill (%s): perplexity unfused %.3f, fused 8..14 %.3f, healed"
        + " %.3f: %.0f%% of the gap recovered; held-out relative error %.4f → %.4f (%s); heal %.1f s (collect %.1f,"
        + " fit %.1f)", r.backend(), unfused, fusedPpl, healedPpl, 100 * recovered,
        r.chains().get(0).heldOutBefore(), r.chains().get(0).heldOutAfter(), r.chains().get(0).detail(), seconds,
        r.collectSeconds(), r.fitSeconds());
    System.err.println("[measure] " + summary);
    assertTrue(recovered >= 0.5, summary);
  }
}

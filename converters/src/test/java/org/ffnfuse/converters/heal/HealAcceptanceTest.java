package org.ffnfuse.converters.heal;

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
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's measurement for the closed-form method: nas-austen-16l fused over 8..14 (last FFN of the attention-free run
 * included; fp32 weights, so that only the fusion and the healing move the numbers), healed with {@code lstsq} on
 * 32768 tokens of brown-eval, perplexity on austen-persuasion (held out; 64 windows of 256, BOS first) of the
 * unfused, fused and healed models. Done when healing recovers at least half of the fused model's perplexity gap.
 */
@Tag(Fixtures.ACCEPTANCE)
class HealAcceptanceTest {
  static final long BOS = 1;

  /** Perplexity of {@code model} on austen-persuasion, 64 windows of 256 with BOS. */
  static double perplexity(Path model) throws Exception {
    long[] ids = EvalTokens.tokenize(Fixtures.sharedText("austen-persuasion.txt"),
        Fixtures.shared("nas-austen-16l").resolve("tokenizer.json"));
    try (RunnableModel m = RunnableModel.open(model); OrtCausalLm lm = OrtCausalLm.open(m.onnx(), 0)) {
      return Perplexity.withBos(lm, ids, BOS, 256, 64).perplexity();
    }
  }

  @Test
  void heal_lstsqOnBrownEval_recoversHalfThePerplexityGap(@TempDir Path dir) throws Exception {
    Path nas = Fixtures.shared("nas-austen-16l");
    FusionPlan plan = FusionPlan.parse("8-14");
    Path fused = dir.resolve("fused");
    Fusion.fuse(nas, plan, fused, "fp32", false);
    long[] calib = EvalTokens.tokenize(Fixtures.sharedText("brown-eval.txt"), nas.resolve("tokenizer.json"));
    long[][] windows = TokenWindows.cut(calib, Optional.of(BOS), 256, 200);
    Path healed = dir.resolve("healed");

    long t0 = System.nanoTime();
    HealReport r = Healing.heal(nas, fused, plan, windows, true, HealOptions.defaults(HealMethod.LSTSQ), healed,
        line -> System.err.println("[measure] " + line));
    double seconds = (System.nanoTime() - t0) / 1e9;

    double unfused = perplexity(nas);
    double fusedPpl = perplexity(fused);
    double healedPpl = perplexity(healed);
    double recovered = (fusedPpl - healedPpl) / (fusedPpl - unfused);
    String summary = String.format(Locale.ROOT, "lstsq: perplexity unfused %.3f, fused 8..14 %.3f, healed %.3f:"
        + " %.0f%% of the gap recovered; held-out relative error %.4f → %.4f (%s); heal %.1f s (collect %.1f, fit"
        + " %.1f)", unfused, fusedPpl, healedPpl, 100 * recovered, r.chains().get(0).heldOutBefore(),
        r.chains().get(0).heldOutAfter(), r.chains().get(0).detail(), seconds, r.collectSeconds(), r.fitSeconds());
    System.err.println("[measure] " + summary);
    assertTrue(recovered >= 0.5, summary);
  }
}

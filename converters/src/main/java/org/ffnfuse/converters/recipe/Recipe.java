package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.Optional;
import org.ffnfuse.converters.eval.OrtThreads;

/**
 * A recipe: the FFN-Fusion flow for one model, as {@code ffnfuse run --recipe recipe.yaml} reads it (see
 * {@code docs/recipe.md} for the file format, {@link RecipeYaml} for the reader). Sections that are absent are
 * steps that do not run; the steps run in this order:
 *
 * <ol>
 *   <li>{@code drop_attention} ({@link DropAttentionStep}) — remove attention sub-blocks;
 *   <li>{@code analyze} — block dependency analysis on the calibration text, report in {@code analysis/} (implied
 *       by {@code plan.auto}, {@code plan.threshold} and {@code plan.fuse}; {@code drop_attention.auto} measures
 *       only attention importance, before the removal);
 *   <li>{@code plan} ({@link PlanStep}) — which FFN chains to fuse (no plan: nothing is fused);
 *   <li>{@code fuse} ({@link FuseOptions}) and {@code output} ({@link OutputOptions}) — fuse and write the model;
 *   <li>{@code verify} ({@link VerifyOptions}) — compare with the original on held-out text;
 *   <li>{@code bench} ({@link BenchOptions}) — ONNX Runtime latency, original vs fused.
 * </ol>
 *
 * <p>Top-level keys: {@code description} (free text, copied into the summary), {@code seed} (seeds every random
 * choice: bench inputs, analysis sampling; default 1234), {@code threads} (ONNX Runtime intra-op threads, 0 = its
 * choice; default 0), {@code calibration} ({@link Calibration}), {@code analyze} (boolean, default false) and the
 * step sections above.
 *
 * @param description key {@code description}
 * @param seed key {@code seed}
 * @param threads key {@code threads} (0 to {@link OrtThreads#MAX})
 * @param calibration key {@code calibration}; required when an analysis step runs
 * @param analyze key {@code analyze}: run the analysis and keep its report even when the plan is explicit
 * @param dropAttention key {@code drop_attention}
 * @param plan key {@code plan}
 * @param fuse key {@code fuse}
 * @param output key {@code output}
 * @param verify key {@code verify}
 * @param bench key {@code bench}
 */
public record Recipe(Optional<String> description, long seed, int threads, Optional<Calibration> calibration,
    boolean analyze, Optional<DropAttentionStep> dropAttention, Optional<PlanStep> plan, FuseOptions fuse,
    OutputOptions output, Optional<VerifyOptions> verify, Optional<BenchOptions> bench) {
  /** Default {@code seed}. */
  public static final long DEFAULT_SEED = 1234;

  public Recipe {
    checkNotNull(description);
    checkArgument(OrtThreads.isValid(threads), "threads must be 0..%s: %s", OrtThreads.MAX, threads);
    checkNotNull(calibration);
    checkNotNull(dropAttention);
    checkNotNull(plan);
    checkNotNull(fuse);
    checkNotNull(output);
    checkNotNull(verify);
    checkNotNull(bench);
    boolean analysis = analyze || dropAttention.filter(d -> d instanceof DropAttentionStep.Auto).isPresent()
        || plan.filter(p -> !(p instanceof PlanStep.Chains)).isPresent();
    checkArgument(!analysis || calibration.isPresent(),
        "the analysis steps (analyze, drop_attention.auto, plan.auto, plan.threshold, plan.fuse) need a calibration"
            + " section");
    checkArgument(verify.isEmpty() || verify.get().text().isPresent() || calibration.isPresent(),
        "verify needs a text (verify.text or calibration.text)");
  }

  /** Whether a step runs the model on the calibration text. */
  public boolean needsAnalysis() {
    return analyze || dropAttention.filter(d -> d instanceof DropAttentionStep.Auto).isPresent()
        || plan.filter(p -> !(p instanceof PlanStep.Chains)).isPresent();
  }

  /** The evaluation text of the verify step: {@code verify.text}, else the calibration text. */
  public Optional<Path> verifyText() {
    return verify.flatMap(v -> v.text().or(() -> calibration.map(Calibration::text)));
  }

  /** This recipe with {@code threads} ONNX Runtime threads. */
  public Recipe withThreads(int n) {
    return new Recipe(description, seed, n, calibration, analyze, dropAttention, plan, fuse, output, verify, bench);
  }

  /** A builder with every key at its default (no steps but writing the model). */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Recipe} in code; the same keys as the YAML file. */
  public static final class Builder {
    private Optional<String> description = Optional.empty();
    private long seed = DEFAULT_SEED;
    private int threads;
    private Optional<Calibration> calibration = Optional.empty();
    private boolean analyze;
    private Optional<DropAttentionStep> dropAttention = Optional.empty();
    private Optional<PlanStep> plan = Optional.empty();
    private FuseOptions fuse = FuseOptions.defaults();
    private OutputOptions output = OutputOptions.defaults();
    private Optional<VerifyOptions> verify = Optional.empty();
    private Optional<BenchOptions> bench = Optional.empty();

    private Builder() {}

    /** Key {@code description}. */
    public Builder description(String d) {
      description = Optional.of(d);
      return this;
    }

    /** Key {@code seed}. */
    public Builder seed(long s) {
      seed = s;
      return this;
    }

    /** Key {@code threads}. */
    public Builder threads(int n) {
      threads = n;
      return this;
    }

    /** Key {@code calibration}. */
    public Builder calibration(Calibration c) {
      calibration = Optional.of(c);
      return this;
    }

    /** Key {@code analyze}. */
    public Builder analyze(boolean on) {
      analyze = on;
      return this;
    }

    /** Key {@code drop_attention}. */
    public Builder dropAttention(DropAttentionStep d) {
      dropAttention = Optional.of(d);
      return this;
    }

    /** Key {@code plan}. */
    public Builder plan(PlanStep p) {
      plan = Optional.of(p);
      return this;
    }

    /** Key {@code fuse}. */
    public Builder fuse(FuseOptions f) {
      fuse = checkNotNull(f);
      return this;
    }

    /** Key {@code output}. */
    public Builder output(OutputOptions o) {
      output = checkNotNull(o);
      return this;
    }

    /** Key {@code verify}. */
    public Builder verify(VerifyOptions v) {
      verify = Optional.of(v);
      return this;
    }

    /** Key {@code bench}. */
    public Builder bench(BenchOptions b) {
      bench = Optional.of(b);
      return this;
    }

    /** @throws IllegalArgumentException if a step lacks what it needs (e.g. analysis without calibration) */
    public Recipe build() {
      return new Recipe(description, seed, threads, calibration, analyze, dropAttention, plan, fuse, output, verify,
          bench);
    }
  }
}

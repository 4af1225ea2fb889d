package org.ffnfuse.converters.verify;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The pass/fail rules of a verification: one home for {@code ffnfuse verify} and the recipe's verify step (and so
 * {@code run} and {@code batch}).
 *
 * <p>A NaN or infinite logit, perplexity, KL or top-1 fails, whatever the thresholds: such a model is broken, and
 * since every comparison with NaN is false, {@code NaN > limit} would otherwise pass. Each threshold given must hold
 * (tested as {@code value <= limit}, which NaN fails too); the CUDA requirement and damaged files fail as well.
 *
 * @param maxPplIncrease the largest allowed relative perplexity increase (0.05 = +5%)
 * @param maxKl the largest allowed mean KL(original‖fused), nats per token
 * @param minTop1 the smallest allowed top-1 agreement (0..1)
 * @param requireCuda whether both models must run entirely on the CUDA EP
 * @param spelling how messages name the thresholds
 */
public record VerifyGates(OptionalDouble maxPplIncrease, OptionalDouble maxKl, OptionalDouble minTop1,
    boolean requireCuda, Spelling spelling) {

  /** How failure messages name a threshold. */
  public enum Spelling {
    /** As command-line options: {@code --max-kl}. */
    CLI,
    /** As recipe keys: {@code max_kl}. */
    RECIPE;

    String name(String option) {
      return this == CLI ? "--" + option : option.replace('-', '_');
    }
  }

  public VerifyGates {
    checkNotNull(maxPplIncrease);
    checkNotNull(maxKl);
    checkNotNull(minTop1);
    checkNotNull(spelling);
  }

  /** Every rule {@code r} breaks, as readable lines; empty = passed. */
  public List<String> failures(VerifyReport r) {
    List<String> out = new ArrayList<>();
    r.nonFiniteLogits().forEach(n -> out.add(n.describe() + "; perplexity, KL and top-1 are meaningless"));
    requireFinite("original perplexity", r.original().perplexity(), out);
    requireFinite("fused perplexity", r.fused().perplexity(), out);
    requireFinite("KL(original‖fused)", r.kl(), out);
    requireFinite("top-1 agreement", r.top1(), out);
    maxPplIncrease.ifPresent(t -> atMost("perplexity increase", r.perplexityIncrease(), "max-ppl-increase", t, out));
    maxKl.ifPresent(t -> atMost("KL", r.kl(), "max-kl", t, out));
    minTop1.ifPresent(t -> {
      if (!(r.top1() >= t)) {
        out.add(String.format(Locale.ROOT, "top-1 agreement %.4f < %s %.4f", r.top1(), spelling.name("min-top1"), t));
      }
    });
    if (requireCuda && !r.cudaCompatible()) {
      out.add("operators without CUDA kernels: original " + r.original().unsupportedOps() + ", fused "
          + r.fused().unsupportedOps());
    }
    r.original().integrityProblems().forEach(p -> out.add("original: " + p));
    r.fused().integrityProblems().forEach(p -> out.add("fused: " + p));
    return out;
  }

  private static void requireFinite(String what, double value, List<String> out) {
    if (!Double.isFinite(value)) {
      out.add(what + " is " + value + ", not a finite number");
    }
  }

  private void atMost(String what, double value, String option, double limit, List<String> out) {
    if (!(value <= limit)) {
      out.add(String.format(Locale.ROOT, "%s %.5f > %s %.5f", what, value, spelling.name(option), limit));
    }
  }
}

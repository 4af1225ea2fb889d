package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * The {@code plan:} section: which FFN chains to fuse, either named ({@link Chains}) or proposed by the planner from
 * the block dependency analysis on the calibration text ({@link Auto}, {@link Threshold}, {@link Target}).
 *
 * <pre>{@code
 * plan:
 *   chains: "8-13"        # explicit chains, e.g. "8-13" or "8-13,20-25"
 * # or
 * plan:
 *   auto: true            # the planner's default: each attention-free run, minus its last FFN (needs calibration)
 *   include_last: false   # also fuse the last FFN of each run (default false, as in the paper)
 * # or
 * plan:
 *   threshold: 0.05       # greedy: grow chains while the dependency score stays under t (needs calibration)
 *   include_last: false   # also fuse the last FFN of an attention-free run (default false, as in the paper)
 * # or
 * plan:
 *   fuse: 6               # fuse this many FFNs in total (needs calibration)
 *   include_last: false
 * }</pre>
 */
public sealed interface PlanStep permits PlanStep.Chains, PlanStep.Auto, PlanStep.Threshold, PlanStep.Target {

  /**
   * Named chains (key {@code chains}).
   *
   * @param plan the chains
   */
  record Chains(FusionPlan plan) implements PlanStep {
    public Chains {
      checkNotNull(plan);
    }

    /** Parses {@code 8-13} or {@code 8-13,20-25}. */
    public static Chains parse(String spec) {
      return new Chains(FusionPlan.parse(spec));
    }
  }

  /**
   * The planner's default chains (keys {@code auto: true}, {@code include_last}): one chain over each attention-free
   * run, without its last FFN unless {@code includeLast}.
   *
   * @param includeLast also fuse the last FFN of each attention-free run
   */
  record Auto(boolean includeLast) implements PlanStep {}

  /**
   * Chains whose dependency score stays under {@code threshold} (keys {@code threshold}, {@code include_last}).
   *
   * @param threshold the planner's threshold (≥ 0)
   * @param includeLast also fuse the last FFN of each attention-free run
   */
  record Threshold(double threshold, boolean includeLast) implements PlanStep {
    public Threshold {
      checkArgument(threshold >= 0 && Double.isFinite(threshold), "plan.threshold must be ≥ 0: %s", threshold);
    }
  }

  /**
   * Chains holding {@code ffns} FFNs in total (keys {@code fuse}, {@code include_last}).
   *
   * @param ffns FFNs to fuse (≥ 2)
   * @param includeLast also fuse the last FFN of each attention-free run
   */
  record Target(int ffns, boolean includeLast) implements PlanStep {
    public Target {
      checkArgument(ffns >= 2, "plan.fuse must be ≥ 2 (fusing one FFN changes nothing): %s", ffns);
    }
  }
}

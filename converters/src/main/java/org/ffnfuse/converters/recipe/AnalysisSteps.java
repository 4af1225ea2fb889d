package org.ffnfuse.converters.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SortedSet;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.AttentionSelection;
import org.ffnfuse.converters.analysis.FusionPlanner;
import org.ffnfuse.converters.analysis.ReportFiles;

/**
 * Where the recipe's analysis steps meet the analysis of issue 6 ({@code org.ffnfuse.converters.analysis}): attention
 * selection for {@code drop_attention.auto}, the planner for {@code plan.threshold}, {@code plan.fuse} and
 * {@code plan.auto}, and the report folder.
 */
final class AnalysisSteps {
  private AnalysisSteps() {}

  /** The attention sub-blocks {@code auto} removes, by their measured importance. */
  static SortedSet<Integer> attentionToDrop(AnalysisResult result, DropAttentionStep.Auto auto) {
    int have = result.attentionKl().size();
    if (auto.count() > have) {
      throw new IllegalArgumentException("drop_attention.auto: " + auto.count() + " attention sub-blocks asked for,"
          + " but the model has " + have);
    }
    return auto.contiguous() ? AttentionSelection.contiguous(result.attentionKl(), auto.count())
        : AttentionSelection.leastImportant(result.attentionKl(), auto.count());
  }

  /** The planner's options for a planned (not named) plan step. */
  static FusionPlanner.Options options(PlanStep step) {
    if (step instanceof PlanStep.Threshold t) {
      return new FusionPlanner.Options(OptionalDouble.of(t.threshold()), OptionalInt.empty(), t.includeLast());
    }
    if (step instanceof PlanStep.Target t) {
      return new FusionPlanner.Options(OptionalDouble.empty(), OptionalInt.of(t.ffns()), t.includeLast());
    }
    if (step instanceof PlanStep.Auto a) {
      return new FusionPlanner.Options(OptionalDouble.empty(), OptionalInt.empty(), a.includeLast());
    }
    throw new IllegalArgumentException("named chains are not planned: " + step);
  }

  /**
   * The planner's plan for {@code step}.
   *
   * @throws IllegalArgumentException naming the recipe key if the plan is empty or cannot be met
   */
  static FusionPlanner.Plan plan(AnalysisResult result, PlanStep step) {
    FusionPlanner.Plan p;
    try {
      p = FusionPlanner.plan(result, options(step));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("plan: " + e.getMessage(), e);
    }
    if (p.chains().isEmpty()) {
      throw new IllegalArgumentException("plan: the planner found no chain to fuse (" + p.rule() + "); attention-free"
          + " runs: " + FusionPlanner.regions(result.attention(), result.ffn(), options(step).includeLast())
          + ". Raise plan.threshold, remove attention first, or name the chains");
    }
    return p;
  }

  /** Writes the analysis report folder {@code dir} with {@code plan} (the planner's default when none). */
  static void writeReport(AnalysisResult result, FusionPlanner.Plan plan, Path dir) throws IOException {
    ReportFiles.write(dir, result, plan);
  }

  /** The planner's default plan, for a report whose chains the recipe named. */
  static FusionPlanner.Plan defaultPlan(AnalysisResult result) {
    return FusionPlanner.plan(result, FusionPlanner.Options.defaults());
  }
}

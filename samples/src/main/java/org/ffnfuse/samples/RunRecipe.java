package org.ffnfuse.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.recipe.OutputFormat;
import org.ffnfuse.converters.recipe.OutputOptions;
import org.ffnfuse.converters.recipe.PlanStep;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeRunner;
import org.ffnfuse.converters.recipe.RecipeYaml;
import org.ffnfuse.converters.recipe.RunListener;
import org.ffnfuse.converters.recipe.RunReport;
import org.ffnfuse.converters.recipe.RunReportFiles;
import org.ffnfuse.converters.recipe.VerifyOptions;
import org.ffnfuse.converters.recipe.WeightDtype;

/**
 * Runs a recipe — the whole flow declared in one file — on one model, as {@code ffnfuse run MODEL --recipe FILE -o OUT}
 * does; with no recipe file it builds the same recipe in code: fuse blocks 8..13, write ONNX, verify on 8 windows of
 * the Persuasion excerpt. Prints the run's summary (also in {@code OUT/summary.md}).
 *
 * <pre>mvn -q -pl samples exec:java -Dexec.mainClass=org.ffnfuse.samples.RunRecipe \
 *     [-Dexec.args="MODEL OUT [recipe.yaml]"]</pre>
 */
public final class RunRecipe {
  private RunRecipe() {}

  public static void main(String[] args) throws Exception {
    Path model = SampleFiles.arg(args, 0, SampleFiles.model("nas-austen-16l"));
    Path out = SampleFiles.arg(args, 1, Files.createTempDirectory("ffnfuse-sample-").resolve("run"));

    Recipe recipe;
    if (args.length > 2) {
      recipe = RecipeYaml.read(Path.of(args[2]));
    } else {
      VerifyOptions verify = VerifyOptions.of(SampleFiles.text("persuasion-excerpt.txt"));
      recipe = Recipe.builder()
          .description("nas-austen-16l: the attention-free run 8..14 without its last FFN")
          .plan(PlanStep.Chains.parse("8-13"))
          .output(new OutputOptions(java.util.Optional.of(OutputFormat.ONNX), WeightDtype.FP32))
          .verify(new VerifyOptions(verify.text(), 128, 8, verify.maxPplIncrease(), verify.maxKl(), verify.minTop1(),
              false))
          .build();
    }

    RunReport report = RecipeRunner.run(model, recipe, out, RunListener.NONE);
    System.out.print(RunReportFiles.markdown(report, recipe));
    System.out.println("wrote " + report.output() + (report.passed() ? "" : " (verify thresholds exceeded)"));
  }
}

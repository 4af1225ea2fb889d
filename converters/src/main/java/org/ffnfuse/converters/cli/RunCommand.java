package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeRunner;
import org.ffnfuse.converters.recipe.RecipeYaml;
import org.ffnfuse.converters.recipe.RunReport;
import org.ffnfuse.converters.recipe.RunReportFiles;
import org.ffnfuse.formats.io.OutputGuard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse run}: the whole flow on one model, declared in a recipe file. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a recipe (drop-attention → analyze → plan → fuse → export → verify → bench, declared in one",
        "YAML file; see docs/recipe.md) on one model. Writes OUT/model, the report files and OUT/SHA256SUMS",
        "together. Exits 1 if a verify threshold is exceeded (the output is still written)."})
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "checkpoint folder (config.json + *.safetensors) or"
      + " .onnx file")
  Path model;

  @Option(names = "--recipe", required = true, paramLabel = "recipe.yaml", description = "the recipe")
  Path recipe;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
      description = "output folder (must not exist, or be empty)")
  Path output;

  @Mixin
  ProgressOptions progress;

  @Mixin
  JsonOption json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, OrtException {
    OutputGuard.create().inputs(ModelPaths.inputs(model)).input(recipe).output(output).check();
    Recipe r = RecipeYaml.read(recipe);
    RunReport report = RecipeRunner.run(model, r, output, progress.bars().listener("run: "));
    spec.commandLine().getOut().print(json.json() ? RunReportFiles.json(report)
        : RunReportFiles.markdown(report, r));
    spec.commandLine().getOut().flush();
    report.failures().forEach(f -> spec.commandLine().getErr().println("run: FAILED: " + f));
    return report.passed() ? 0 : ErrorHandler.CHECK_FAILED;
  }
}

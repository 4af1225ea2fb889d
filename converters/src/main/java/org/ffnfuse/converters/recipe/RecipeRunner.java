package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;

/**
 * Runs a {@link Recipe} on one model — what {@code ffnfuse run MODEL --recipe recipe.yaml -o OUT} does.
 *
 * <p>The recipe is first checked against the model (named blocks and chains exist and apply, the output format fits
 * the model family, texts tokenize into enough windows): problems are reported before any work. Then the steps run
 * inside a temporary sibling of {@code OUT} ({@link AtomicFiles#writeFolder}); intermediate models (exports for
 * analysis and verification) live in its {@code .work/} folder, deleted before the folder is renamed to {@code OUT}.
 * So the fused model and its report appear together, complete, or not at all. {@code OUT} holds:
 *
 * <pre>
 *   model/          the fused model (checkpoint folder, or model.onnx + model.onnx.data + tokenizer files)
 *   analysis/       the analysis report (JSON, CSV, PNG), when an analysis step ran
 *   plan.json       the chains fused ({"chains":[{"first":8,"last":13}],"source":"recipe"|"analysis"})
 *   verify.json     the verification (as ffnfuse verify --json, plus "failures"), when the recipe verifies
 *   bench.json/.md  the benchmark, when the recipe benchmarks
 *   recipe.yaml     the recipe as run (canonical: defaults spelled out, paths absolute)
 *   report.json     what the run did (RunReport), summary.md the same for people
 *   SHA256SUMS      SHA-256 of every other file (sha256sum -c compatible)
 * </pre>
 *
 * <p>The work runs on a {@link LargeStackThreads} thread (ONNX Runtime needs more than the default stack).
 *
 * <p>Reproducible: the steps run in a fixed order, random inputs are seeded by {@link Recipe#seed()}, and the same
 * recipe on the same model writes byte-identical model files and plan (timings in the reports differ).
 */
public final class RecipeRunner {
  private RecipeRunner() {}

  /**
   * Runs {@code recipe} on {@code model} and writes {@code output}.
   *
   * @param model a checkpoint folder (config.json + safetensors) or an .onnx file
   * @param output the output folder; must not exist, or be empty
   * @param listener hears the steps (progress bars); {@link RunListener#NONE} for none
   * @return the report; {@link RunReport#passed()} is false when a verify threshold was exceeded (the output is
   *     written all the same)
   * @throws IllegalArgumentException if the recipe does not apply to the model (the message names the recipe key),
   *     or {@code output} would write over, into or in place of the model or a text the recipe reads
   *     ({@link OutputGuard}); nothing is written
   * @throws java.nio.file.FileAlreadyExistsException if {@code output} exists and is not empty
   * @throws org.ffnfuse.formats.ModelFormatException if a model or text file is malformed
   */
  public static RunReport run(Path model, Recipe recipe, Path output, RunListener listener)
      throws IOException, OrtException {
    checkNotNull(model);
    checkNotNull(recipe);
    checkNotNull(output);
    checkNotNull(listener);
    OutputGuard.create().inputs(ModelPaths.inputs(model)).input(recipe.calibration().map(Calibration::text))
        .input(recipe.verifyText()).output(output).check();
    return LargeStackThreads.call(() -> runHere(model, recipe, output, listener));
  }

  private static RunReport runHere(Path model, Recipe recipe, Path output, RunListener listener)
      throws IOException, OrtException {
    RunPlan plan = RunPlan.prepare(model, recipe);
    RunReport[] report = new RunReport[1];
    try {
      AtomicFiles.writeFolder(output, tmp -> {
        try {
          report[0] = new RunExecution(plan, tmp, listener).execute(output);
        } catch (OrtException e) {
          throw new OrtFailure(e);
        }
      });
    } catch (OrtFailure e) {
      throw e.ort;
    }
    return report[0];
  }

  /** Carries an {@link OrtException} through {@link AtomicFiles.FolderContent}, which may only throw IOException. */
  private static final class OrtFailure extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient OrtException ort;

    OrtFailure(OrtException e) {
      super(e);
      this.ort = e;
    }
  }
}

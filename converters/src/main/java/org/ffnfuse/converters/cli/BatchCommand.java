package org.ffnfuse.converters.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.batch.BatchEntry;
import org.ffnfuse.converters.batch.BatchListener;
import org.ffnfuse.converters.batch.BatchOptions;
import org.ffnfuse.converters.batch.BatchReport;
import org.ffnfuse.converters.batch.BatchRunner;
import org.ffnfuse.converters.batch.MemoryBudget;
import org.ffnfuse.converters.batch.ZooModel;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeYaml;
import org.ffnfuse.converters.recipe.RunListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse batch}: one recipe on every model of a directory tree, in parallel, resumably. */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = {"Run a recipe on every model under a folder (checkpoint folders and .onnx files) in parallel",
        "within a memory budget. Resumable: finished models (OUT/<model> with SHA256SUMS, made from the same recipe,",
        "input files and ffnfuse version) are skipped, out-of-date ones rerun, failed ones retried. Writes",
        "OUT/batch-summary.json and .md. Exits 1 if any model failed, 4 if another batch is writing to OUT."})
final class BatchCommand implements Callable<Integer> {
  /** Exit code when a model failed or exceeded a verify threshold. */
  static final int SOME_FAILED = 1;

  @Parameters(index = "0", paramLabel = "ZOO", description = "folder tree holding the models")
  Path zoo;

  @Option(names = "--recipe", required = true, paramLabel = "recipe.yaml", description = "the recipe")
  Path recipe;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "output folder")
  Path output;

  @Option(names = {"-j", "--jobs"}, defaultValue = "1", description = "models run at once (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--memory-budget", paramLabel = "SIZE",
      description = "memory the running jobs' estimates may add up to, e.g. 8g (default: 3/4 of physical memory)")
  String memoryBudget;

  @Mixin
  ProgressOptions progress;

  @Mixin
  JsonOption json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (jobs < 1) {
      throw new IllegalArgumentException("--jobs must be ≥ 1, got " + jobs);
    }
    long budget = memoryBudget == null ? BatchOptions.defaultBudget() : MemoryBudget.parseSize(memoryBudget);
    Recipe r = RecipeYaml.read(recipe);
    BatchReport report;
    try (Progress p = new Progress(progress.bars(), spec.commandLine().getErr())) {
      report = BatchRunner.run(zoo, r, output, new BatchOptions(jobs, budget), p);
    }
    spec.commandLine().getOut().print(json.json() ? report.toJson() : report.toMarkdown());
    spec.commandLine().getOut().flush();
    return report.allPassed() ? 0 : SOME_FAILED;
  }

  /**
   * One bar over the models to run; its note names the latest step of a running model. Models run again because
   * their output is out of date are named on stderr.
   */
  private static final class Progress implements BatchListener, AutoCloseable {
    private final ProgressBars bars;
    private final PrintWriter err;
    private ProgressBars.Bar bar;

    Progress(ProgressBars bars, PrintWriter err) {
      this.bars = bars;
      this.err = err;
      this.bar = bars.bar("batch", 0);
    }

    @Override
    public synchronized void jobStale(ZooModel model, String why) {
      err.println("batch: " + model.name() + ": its output is out of date (" + why + "); running it again");
      err.flush();
    }

    @Override
    public synchronized void batchStarted(int models, int toRun) {
      bar.close();
      bar = bars.bar("batch", Math.max(toRun, 1));
    }

    @Override
    public RunListener jobListener(ZooModel model) {
      return new RunListener() {
        @Override
        public void stepStarted(String step, long total) {
          note(model.name() + ": " + step);
        }
      };
    }

    @Override
    public synchronized void jobFinished(ZooModel model, BatchEntry entry) {
      bar.step();
      bar.message(model.name() + ": " + entry.status().name().toLowerCase(java.util.Locale.ROOT));
    }

    private synchronized void note(String text) {
      bar.message(text);
    }

    @Override
    public synchronized void close() {
      bar.close();
    }
  }
}

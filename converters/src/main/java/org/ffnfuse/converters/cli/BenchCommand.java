package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.bench.BenchConfig;
import org.ffnfuse.converters.bench.BenchMemory;
import org.ffnfuse.converters.bench.BenchReport;
import org.ffnfuse.converters.bench.BenchResult;
import org.ffnfuse.converters.bench.ExecutionProvider;
import org.ffnfuse.converters.bench.OrtBenchmark;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse bench}: latency and tokens/s of ONNX models, the first one as baseline. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Warmed-up latency and tokens/s of ONNX models on ONNX Runtime; the first model is the baseline.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "MODEL", description = "ONNX model files (.onnx)")
  List<Path> models;

  @Option(names = "--batch", split = ",", defaultValue = "1,32", description = "batch sizes (default: ${DEFAULT-VALUE})")
  List<Integer> batches;

  @Option(names = "--seq", defaultValue = "128", description = "tokens per sequence (default: ${DEFAULT-VALUE})")
  int seq;

  @Mixin
  ThreadsOption threads;

  @Option(names = "--warmup", defaultValue = "3", description = "untimed runs (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--repeats", defaultValue = "10", description = "timed runs (default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--ep", defaultValue = "cpu", description = "execution provider: ${COMPLETION-CANDIDATES}"
      + " (default: ${DEFAULT-VALUE})")
  ExecutionProvider ep;

  @Option(names = {"-o", "--output"}, description = "write JSON here (and Markdown beside it, .md)")
  Path output;

  @Mixin
  JsonOption json;

  @Mixin
  ProgressOptions progress;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, OrtException {
    for (Path m : models) {
      if (!Files.isRegularFile(m) || !m.toString().endsWith(".onnx")) {
        throw new IllegalArgumentException(m + ": bench takes .onnx files (export a checkpoint first: ffnfuse export)");
      }
    }
    if (output != null) {
      OutputGuard guard = OutputGuard.create().output(output).output(markdownFile());
      for (Path m : models) {
        guard.inputs(ModelPaths.inputs(m));
      }
      guard.check();
    }
    BenchConfig config = new BenchConfig(batches, seq, threads.value(), warmup, repeats, ep, 1234L);
    long available = BenchMemory.available();
    for (Path m : models) {
      BenchMemory.requireFits(m, config, available);
    }
    List<BenchResult> results = new ArrayList<>();
    long total = (long) models.size() * batches.size() * repeats;
    ProgressBars bars = json.json() ? ProgressBars.disabled() : progress.bars();
    try (ProgressBars.Bar bar = bars.bar("bench", total)) {
      for (Path m : models) {
        results.addAll(OrtBenchmark.run(m, config, what -> {
          bar.step();
          bar.message(what);
        }));
      }
    }
    BenchReport report = new BenchReport(config, results);
    if (output != null) {
      AtomicFiles.writeString(output, report.toJson());
      AtomicFiles.writeString(markdownFile(), report.toMarkdown());
    }
    spec.commandLine().getOut().print(json.json() ? report.toJson() : report.toMarkdown());
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The Markdown report beside the JSON one: {@code NAME.md} for {@code -o NAME.json}. */
  private Path markdownFile() {
    return output.resolveSibling(output.getFileName().toString().replaceFirst("\\.json$", "") + ".md");
  }
}

package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.bench.BenchConfig;
import org.ffnfuse.converters.bench.BenchReport;
import org.ffnfuse.converters.bench.BenchResult;
import org.ffnfuse.converters.bench.ExecutionProvider;
import org.ffnfuse.converters.bench.OrtBenchmark;
import org.ffnfuse.formats.io.AtomicFiles;
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

  @Option(names = "--threads", defaultValue = "0", description = "intra-op threads, 0 = ONNX Runtime's choice")
  int threads;

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

  @Override
  public Integer call() throws IOException, OrtException {
    for (Path m : models) {
      if (!Files.isRegularFile(m) || !m.toString().endsWith(".onnx")) {
        throw new IllegalArgumentException(m + ": bench takes .onnx files (export a checkpoint first: ffnfuse export)");
      }
    }
    BenchConfig config = new BenchConfig(batches, seq, threads, warmup, repeats, ep, 1234L);
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
      String md = output.getFileName().toString().replaceFirst("\\.json$", "") + ".md";
      AtomicFiles.writeString(output.resolveSibling(md), report.toMarkdown());
    }
    System.out.print(json.json() ? report.toJson() : report.toMarkdown());
    return 0;
  }
}

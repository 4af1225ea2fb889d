package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.AttentionSelection;
import org.ffnfuse.converters.analysis.CalibrationOptions;
import org.ffnfuse.converters.analysis.OnnxAttentionRemoval;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.fuse.AttentionRemoval;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.inspect.ModelInspector;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.graph.analysis.BranchRemoval;
import org.ffnfuse.graph.structure.ModelSummary;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse drop-attention}: removes attention sub-blocks, leaving chains of FFNs to fuse. */
@Command(name = "drop-attention", mixinStandardHelpOptions = true,
    description = {"Remove the attention sub-block (and its norm) of chosen blocks, or of the N least important",
        "ones measured on calibration text (--auto N: KL of the next-token distribution with that attention gone)."})
final class DropAttentionCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "checkpoint folder or .onnx file")
  Path input;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  static final class Which {
    @Option(names = "--blocks", paramLabel = "RANGES", description = "e.g. 8-14 or 3,5,8-10")
    String blocks;

    @Option(names = "--auto", paramLabel = "N", description = "remove the N least important attention sub-blocks")
    Integer auto;
  }

  @Option(names = "--contiguous", description = "with --auto: the contiguous run of N attention blocks with the"
      + " smallest summed KL (yields one long FFN chain)")
  boolean contiguous;

  @Option(names = "--text", converter = ReadableFile.class,
      description = "calibration text for --auto (UTF-8, or {\"ids\":[…]} JSON)")
  Path text;

  @Option(names = "--tokens", defaultValue = "16384", description = "calibration tokens for --auto (default: 16384)")
  long tokens;

  @Option(names = "--window", defaultValue = "256", description = "tokens per calibration window (default: 256)")
  int window;

  @Mixin
  ThreadsOption threads;

  @Mixin
  ProgressOptions progress;

  @Option(names = {"-o", "--output"}, required = true,
      description = "output: a folder (nemotron-nas checkpoint) or a file ending in .onnx")
  Path output;

  @Option(names = "--dtype", defaultValue = "same", description = "same (default), fp32, bf16 or fp16")
  String dtype;

  @Override
  public Integer call() throws IOException, OrtException {
    OutputGuard.create().inputs(ModelPaths.inputs(input)).input(Optional.ofNullable(text))
        .outputs(ModelPaths.outputs(output)).check();
    Set<Integer> blocks = which.blocks != null ? AttentionRemoval.parseBlocks(which.blocks) : auto();
    boolean onnxInput = Files.isRegularFile(input) && CheckpointOutput.isOnnx(input);
    if (onnxInput) {
      if (!CheckpointOutput.isOnnx(output)) {
        throw new IllegalArgumentException("an ONNX input gives ONNX output: name the output *.onnx");
      }
      BranchRemoval.Result r = OnnxAttentionRemoval.remove(input, blocks, output);
      System.err.printf("drop-attention: %s; wrote %s%n", r.report(), output);
      return 0;
    }
    if (!Files.isDirectory(input)) {
      throw new IllegalArgumentException(input + ": expected a checkpoint folder (config.json + *.safetensors) or an"
          + " .onnx file");
    }
    ModelConfig config = HfConfigReader.read(input);
    boolean onnx = CheckpointOutput.isOnnx(output);
    DType out = CheckpointOutput.dtype(dtype, config.dtype(), onnx);
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(input)) {
      ExportModel model = AttentionRemoval.drop(OnnxExporter.load(config, ck), blocks);
      CheckpointOutput.write(model, input, output, out, CheckpointOutput.shardSizeOf(ck));
    }
    System.err.printf("drop-attention: removed attention from blocks %s; wrote %s%n", blocks, output);
    return 0;
  }

  private Set<Integer> auto() throws IOException, OrtException {
    checkAutoCount();
    if (text == null) {
      throw new IllegalArgumentException("--auto measures attention importance on calibration text: give --text FILE");
    }
    AnalysisResult r = AnalyzeCommand.analyze(input, text, tokens, window, Optional.empty(), Optional.empty(),
        CalibrationOptions.attentionOnly(), threads.value(), progress.bars());
    Set<Integer> chosen = contiguous ? AttentionSelection.contiguous(r.attentionKl(), which.auto)
        : AttentionSelection.leastImportant(r.attentionKl(), which.auto);
    StringBuilder sb = new StringBuilder("drop-attention: attention KL per block (nats/token):");
    r.attentionKl().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %d:%.4f", k, v)));
    System.err.println(sb);
    System.err.println("drop-attention: removing " + chosen + (contiguous ? " (contiguous run)" : ""));
    return chosen;
  }

  /** Rejects an {@code --auto N} that no measurement could satisfy, before measuring. */
  private void checkAutoCount() throws IOException {
    if (which.auto < 1) {
      throw new IllegalArgumentException("--auto " + which.auto + ": give how many attention sub-blocks to remove"
          + " (at least 1)");
    }
    List<ModelSummary.BlockSummary> blocks = ModelInspector.inspect(input).blocks();
    long withAttention = blocks.stream().filter(ModelSummary.BlockSummary::attention).count();
    if (which.auto > withAttention) {
      throw new IllegalArgumentException("--auto " + which.auto + ": " + input + " has " + withAttention
          + " blocks with attention (of " + blocks.size() + "); give at most " + withAttention);
    }
  }
}

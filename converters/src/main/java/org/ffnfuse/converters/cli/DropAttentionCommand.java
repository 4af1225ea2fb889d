package org.ffnfuse.converters.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.fuse.AttentionRemoval;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse drop-attention}: removes attention sub-blocks, leaving chains of FFNs to fuse. */
@Command(name = "drop-attention", mixinStandardHelpOptions = true,
    description = "Remove the attention sub-block (and its norm) of chosen blocks.")
final class DropAttentionCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "checkpoint folder")
  Path input;

  @Option(names = "--blocks", required = true, paramLabel = "RANGES", description = "e.g. 8-14 or 3,5,8-10")
  String blocks;

  @Option(names = {"-o", "--output"}, required = true,
      description = "output: a folder (nemotron-nas checkpoint) or a file ending in .onnx")
  Path output;

  @Option(names = "--dtype", defaultValue = "same", description = "same (default), fp32, bf16 or fp16")
  String dtype;

  @Override
  public Integer call() throws IOException {
    Set<Integer> which = AttentionRemoval.parseBlocks(blocks);
    if (!Files.isDirectory(input)) {
      throw new IllegalArgumentException(input + ": expected a checkpoint folder (config.json + *.safetensors)");
    }
    ModelConfig config = HfConfigReader.read(input);
    boolean onnx = CheckpointOutput.isOnnx(output);
    DType out = CheckpointOutput.dtype(dtype, config.dtype(), onnx);
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(input)) {
      ExportModel model = AttentionRemoval.drop(OnnxExporter.load(config, ck), which);
      CheckpointOutput.write(model, input, output, out, CheckpointOutput.shardSizeOf(ck));
    }
    System.err.printf("drop-attention: removed attention from blocks %s; wrote %s%n", which, output);
    return 0;
  }
}

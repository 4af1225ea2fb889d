package org.ffnfuse.converters.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.ExportResult;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.formats.tensor.DType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse export <checkpoint-dir> -o <out.onnx> [--dtype fp32|fp16] [--kv-cache] [--position-ids]}. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Exports a Hugging Face checkpoint (safetensors + config.json) to ONNX for ONNX Runtime.")
public final class ExportCommand implements Callable<Integer> {
  /** Weight storage types offered on the command line. */
  enum WeightDtype {
    fp32(DType.F32), fp16(DType.F16);

    final DType dtype;

    WeightDtype(DType dtype) {
      this.dtype = dtype;
    }
  }

  @Parameters(index = "0", paramLabel = "<checkpoint-dir>", description = "folder with config.json and *.safetensors")
  Path checkpoint;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "<out.onnx>",
      description = "ONNX file to write; weights go to <out.onnx>.data beside it")
  Path output;

  @Option(names = "--dtype", defaultValue = "fp32",
      description = "weight storage: ${COMPLETION-CANDIDATES} (compute is fp32 either way; default ${DEFAULT-VALUE})")
  WeightDtype dtype;

  @Option(names = "--fp16-overflow", defaultValue = "error", paramLabel = "error|clamp",
      description = "with fp16 weights, a finite weight beyond ±65504: error (default: stop naming the tensor) or"
          + " clamp (to ±65504)")
  Fp16OverflowOption fp16Overflow;

  @Option(names = "--kv-cache", description = "add past_key_values.{i}.key|value inputs and present.* outputs")
  boolean kvCache;

  @Option(names = "--position-ids", description = "add a position_ids input")
  boolean positionIds;

  @Mixin
  ProgressOptions progress;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputGuard.create().inputs(ModelPaths.inputs(checkpoint)).outputs(ModelPaths.outputs(output)).check();
    ExportOptions options = ExportOptions.defaults().withWeightType(dtype.dtype).withKvCache(kvCache)
        .withPositionIds(positionIds)
        .withWrite(org.ffnfuse.formats.onnx.OnnxWriteOptions.defaults().withManifest(true)
            .withFp16Overflow(fp16Overflow.policy));
    ExportResult r;
    try (ProgressBars.Bar bar = progress.bars().bar("export", 0)) {
      r = OnnxExporter.export(checkpoint, output, options);
    }
    spec.commandLine().getOut().printf("exported %s: %d nodes, %d initializers, operators %s%n", r.model(), r.nodes(),
        r.initializers(), String.join(" ", r.operators()));
    return 0;
  }

  /** Standalone entry point (the root command {@code ffnfuse} registers this as {@code export}). */
  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new ExportCommand());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    System.exit(cl.execute(args));
  }
}

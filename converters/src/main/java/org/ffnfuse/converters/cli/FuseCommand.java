package org.ffnfuse.converters.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.fuse.OnnxFusion;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.graph.fusion.FfnFusionPass;
import org.ffnfuse.graph.fusion.FusionPlan;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse fuse}: replaces chains of consecutive FFNs by one wide FFN each. */
@Command(name = "fuse", mixinStandardHelpOptions = true,
    description = {"Fuse chains of consecutive FFNs into one wide FFN each (exact parallel form).",
        "A checkpoint folder in, a nemotron-nas checkpoint folder out (or ONNX with -o model.onnx);",
        "an .onnx file in, an .onnx file out (each chain one ai.ffnfuse.FusedFFN node, or plain ops with --inline)."})
final class FuseCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL",
      description = "checkpoint folder (safetensors + config.json) or .onnx file")
  Path input;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Chains chains;

  static final class Chains {
    @Option(names = "--chains", paramLabel = "FIRST-LAST[,…]", description = "e.g. 8-13 or 8-13,20-25 (block indices)")
    String spec;

    @Option(names = "--plan", paramLabel = "plan.json", description = "a plan written by 'ffnfuse plan'")
    Path plan;

    FusionPlan plan() throws IOException {
      return spec != null ? FusionPlan.parse(spec) : PlanFile.read(plan);
    }
  }

  @Option(names = {"-o", "--output"}, required = true,
      description = "output: a folder (nemotron-nas checkpoint) or a file ending in .onnx")
  Path output;

  @Option(names = "--dtype", defaultValue = "same", description = "same (default), fp32, bf16 or fp16")
  String dtype;

  @Option(names = "--fp16-overflow", defaultValue = "error", paramLabel = "error|clamp",
      description = "with fp16 weights, a finite weight beyond ±65504: error (default: stop naming the tensor) or"
          + " clamp (to ±65504)")
  Fp16OverflowOption fp16Overflow;

  @Option(names = "--inline", description = "ONNX input: write the fused FFN's standard operators into the graph"
      + " instead of one FusedFFN node calling a model-local function")
  boolean inline;

  @Option(names = "--keep-placeholders",
      description = "keep fused-away blocks as empty no-op blocks so layer numbers stay (as in Ultra-253B)")
  boolean keepPlaceholders;

  @Mixin
  ProgressOptions progress;

  @Override
  public Integer call() throws IOException {
    OutputGuard.create().inputs(ModelPaths.inputs(input)).input(Optional.ofNullable(chains.plan))
        .outputs(ModelPaths.outputs(output)).check();
    FusionPlan plan = chains.plan();
    if (Files.isRegularFile(input) && CheckpointOutput.isOnnx(input)) {
      if (keepPlaceholders) {
        throw new IllegalArgumentException("--keep-placeholders applies to checkpoint input");
      }
      List<String> reports;
      try (ProgressBars.Bar bar = progress.bars().bar("fuse", 0)) {
        reports = OnnxFusion.fuse(input, plan, output,
            new FfnFusionPass.Options(inline, OnnxFusion.weightType(dtype)), fp16Overflow.policy);
      }
      reports.forEach(System.err::println);
      System.err.printf("wrote %s%n", output);
      return 0;
    }
    if (inline) {
      throw new IllegalArgumentException("--inline applies to ONNX input (a checkpoint is exported with plain ops)");
    }
    try (ProgressBars.Bar bar = progress.bars().bar("fuse", 0)) {
      Fusion.fuse(input, plan, output, dtype, keepPlaceholders, fp16Overflow.policy);
    }
    System.err.printf("FfnFusion: fused %d chain(s) %s, %d FFNs → %d; wrote %s%n", plan.chains().size(), plan,
        plan.chains().stream().mapToInt(c -> c.length()).sum(), plan.chains().size(), output);
    return 0;
  }
}

package org.ffnfuse.converters.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.graph.fusion.FusionPlan;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse fuse}: replaces chains of consecutive FFNs by one wide FFN each. */
@Command(name = "fuse", mixinStandardHelpOptions = true,
    description = {"Fuse chains of consecutive FFNs into one wide FFN each (exact parallel form).",
        "A checkpoint folder in, a nemotron-nas checkpoint folder out (or ONNX with -o model.onnx)."})
final class FuseCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "checkpoint folder (safetensors + config.json)")
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

  @Option(names = "--keep-placeholders",
      description = "keep fused-away blocks as empty no-op blocks so layer numbers stay (as in Ultra-253B)")
  boolean keepPlaceholders;

  @Override
  public Integer call() throws IOException {
    FusionPlan plan = chains.plan();
    Fusion.fuse(input, plan, output, dtype, keepPlaceholders);
    System.err.printf("FfnFusion: fused %d chain(s) %s, %d FFNs → %d; wrote %s%n", plan.chains().size(), plan,
        plan.chains().stream().mapToInt(c -> c.length()).sum(), plan.chains().size(), output);
    return 0;
  }
}

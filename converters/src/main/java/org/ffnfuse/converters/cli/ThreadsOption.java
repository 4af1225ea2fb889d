package org.ffnfuse.converters.cli;

import org.ffnfuse.converters.eval.OrtThreads;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --threads N} for every command that runs ONNX Runtime ({@code @Mixin ThreadsOption threads;}): 0 (the
 * runtime's choice) to {@link OrtThreads#MAX}, the limit recipes have too; anything else is a usage error (exit 2).
 */
public final class ThreadsOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  private int value;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
      description = "threads (ONNX Runtime intra-op; training for heal --method distill), 0 = automatic, at most "
          + OrtThreads.MAX)
  void set(int n) {
    if (!OrtThreads.isValid(n)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--threads must be 0 (automatic) to " + OrtThreads.MAX + ", got " + n);
    }
    value = n;
  }

  /** The thread count, 0 = automatic. */
  public int value() {
    return value;
  }
}

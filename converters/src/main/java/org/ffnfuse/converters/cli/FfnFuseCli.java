package org.ffnfuse.converters.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Root command {@code ffnfuse}. */
@Command(
    name = "ffnfuse",
    mixinStandardHelpOptions = true,
    versionProvider = FfnFuseCli.Version.class,
    description = "FFN Fusion for transformer checkpoints and ONNX graphs (arXiv 2503.18908).",
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      FuseCommand.class,
      DropAttentionCommand.class,
      InspectCommand.class,
      AnalyzeCommand.class,
      PlanCommand.class,
      ExportCommand.class,
      VerifyCommand.class,
      HealCommand.class,
      BenchCommand.class,
      BenchIoCommand.class,
      BenchFuseCommand.class,
      RunCommand.class,
      BatchCommand.class,
    })
public final class FfnFuseCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and returns its exit code (for tests and the launcher). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, with typed errors printed as one line instead of a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FfnFuseCli());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    return cl;
  }

  /** DJL's tokenizer binding warns about GPU detection on every load; only its errors matter here. */
  private static final java.util.logging.Logger DJL_LOG = java.util.logging.Logger.getLogger("ai.djl");

  public static void main(String[] args) {
    DJL_LOG.setLevel(java.util.logging.Level.SEVERE);
    System.exit(execute(args));
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FfnFuseCli.class.getPackage().getImplementationVersion();
      return new String[] {"ffnfuse " + (v == null ? "(development build)" : v)};
    }
  }
}

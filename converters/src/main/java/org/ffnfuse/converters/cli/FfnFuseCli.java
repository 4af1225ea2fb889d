package org.ffnfuse.converters.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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
public final class FfnFuseCli implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private boolean debug;

  /** {@code --debug}, accepted by every subcommand: stack traces on failures, detailed logging. */
  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "print stack traces of failures and detailed log records on stderr")
  void debug(boolean on) {
    debug = on;
    CliLogging.configure(on);
  }

  /** No command given: usage on stderr, exit code 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().println("ffnfuse: a command is required (see the list above)");
    return ErrorHandler.USAGE;
  }

  /** Runs the command line and returns its exit code (for tests and the launcher). */
  public static int execute(String... args) {
    return execute(commandLine(), args);
  }

  /** Runs {@code args} on {@code cl}; errors picocli lets through (out of memory) are typed too. */
  static int execute(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (Error e) {
      return ErrorHandler.handle(e, cl);
    }
  }

  /**
   * The configured command line: typed errors printed as one line instead of a stack trace (see {@link
   * ErrorHandler}), and java.util.logging reduced to one-line warnings on stderr (see {@link CliLogging}).
   */
  public static CommandLine commandLine() {
    CliLogging.configure(false);
    CommandLine cl = new CommandLine(new FfnFuseCli());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Whether {@code --debug} was given to the command line {@code cl} belongs to. */
  static boolean debug(CommandLine cl) {
    CommandLine root = cl;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.getCommand() instanceof FfnFuseCli f && f.debug;
  }

  /** The launcher's entry point: runs {@code args} and exits with the command's exit code. */
  public static void main(String[] args) {
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

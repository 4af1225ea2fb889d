package org.ffnfuse.converters.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Runs {@code ffnfuse} in-process, capturing what it prints on stdout and stderr (picocli's and System's). */
record CliRun(int exit, String out, String err) {
  /** Runs {@code args} on {@link FfnFuseCli#commandLine()}. */
  static CliRun of(String... args) {
    return on(FfnFuseCli::commandLine, args);
  }

  /**
   * Runs {@code args} on a command line made by {@code cli} after System.out and System.err are redirected (picocli's
   * default execution strategy keeps the streams of the moment it was made, and puts them back when it runs).
   */
  static CliRun on(Supplier<CommandLine> cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream sysOut = new ByteArrayOutputStream();
    ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int exit;
    try {
      System.setOut(new PrintStream(sysOut, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
      CommandLine cl = cli.get();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      exit = FfnFuseCli.execute(cl, args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new CliRun(exit, out + sysOut.toString(StandardCharsets.UTF_8),
        withoutJazzerLines(err + sysErr.toString(StandardCharsets.UTF_8)));
  }

  /**
   * {@code err} without the lines Jazzer's agent prints on System.err when it instruments a class: it is installed in
   * the test JVM once a {@code @FuzzTest} ran there, and classes the command loads would otherwise show up as output.
   */
  private static String withoutJazzerLines(String err) {
    return err.lines().filter(l -> !l.startsWith("INFO: Instrumented ")).map(l -> l + "\n")
        .collect(java.util.stream.Collectors.joining());
  }
}

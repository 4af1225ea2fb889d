package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.ffnfuse.converters.eval.OrtErrors;
import org.ffnfuse.converters.eval.FailedCheckException;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.Printable;
import picocli.CommandLine;

/**
 * Prints every failure as one line on stderr ({@code ffnfuse: …}, control characters escaped) and returns its exit
 * code, the one home of the CLI's exit codes: {@link #CHECK_FAILED} 1, {@link #USAGE} 2, {@link #BAD_INPUT} 3,
 * {@link #IO_ERROR} 4, {@link #SOFTWARE} 70. The stack trace follows only with {@code --debug}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  /** Exit code when a check failed (verify's thresholds, a recipe's gates); nothing else uses it. */
  static final int CHECK_FAILED = 1;
  /** Exit code for bad arguments (options, their combinations, ids outside the vocabulary). */
  static final int USAGE = CommandLine.ExitCode.USAGE;
  /** Exit code for a bad input file (its contents), or a model ONNX Runtime rejects. */
  static final int BAD_INPUT = 3;
  /** Exit code for I/O failures, and resources exhausted (ONNX Runtime out of memory). */
  static final int IO_ERROR = 4;
  /** Exit code for an unexpected failure, a bug ({@code EX_SOFTWARE} of sysexits.h). */
  static final int SOFTWARE = 70;

  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    return handle(ex, cl);
  }

  /** Prints {@code ex} (an exception, or an error picocli lets through) on {@code cl}'s stderr; its exit code. */
  static int handle(Throwable ex, CommandLine cl) {
    Failure f = classify(ex);
    var err = cl.getErr();
    err.println("ffnfuse: " + Printable.escape(f.message()));
    if (FfnFuseCli.debug(cl)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return f.exitCode();
  }

  /** A failure as the user sees it. */
  record Failure(int exitCode, String message) {}

  /** The exit code and one-line message of {@code ex}. */
  static Failure classify(Throwable ex) {
    if (ex instanceof OutOfMemoryError) {
      return new Failure(IO_ERROR, "out of memory: " + ex.getMessage() + " (give Java more, e.g."
          + " FFNFUSE_JAVA_OPTS=-Xmx16g, or use smaller inputs)");
    }
    if (ex instanceof FailedCheckException) {
      return new Failure(CHECK_FAILED, "FAILED: " + ex.getMessage());
    }
    if (ex instanceof ModelFormatException) {
      return new Failure(BAD_INPUT, ex.getMessage());
    }
    if (ex instanceof IOException io) {
      return new Failure(IO_ERROR, "I/O error: " + describe(io));
    }
    if (ex instanceof UncheckedIOException u) {
      return classify(u.getCause());
    }
    if (ex instanceof OrtException ort) {
      boolean resource = OrtErrors.kind(ort) == OrtErrors.Kind.RESOURCE;
      return new Failure(resource ? IO_ERROR : BAD_INPUT, "ONNX Runtime " + (resource ? "ran out of resources: "
          : "rejected the model: ") + OrtErrors.message(ort));
    }
    if (ex instanceof IllegalArgumentException || ex instanceof CommandLine.ParameterException) {
      return new Failure(USAGE, ex.getMessage());
    }
    return new Failure(SOFTWARE, "internal error: " + firstLine(ex.toString())
        + " (a bug; rerun with --debug for the stack trace and report it)");
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The path and reason of file-system errors without the exception class; other I/O errors as they are. */
  static String describe(IOException ex) {
    if (ex instanceof java.nio.file.NoSuchFileException n) {
      return n.getFile() + ": no such file" + (n.getReason() == null ? "" : " (" + n.getReason() + ")");
    }
    if (ex instanceof java.nio.file.FileSystemException f && f.getMessage() != null) {
      return f.getMessage();
    }
    return ex.toString();
  }
}

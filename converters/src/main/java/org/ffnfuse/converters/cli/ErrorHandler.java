package org.ffnfuse.converters.cli;

import java.io.IOException;
import org.ffnfuse.converters.verify.FailedCheckException;
import org.ffnfuse.formats.ModelFormatException;
import picocli.CommandLine;

/**
 * Prints expected failures (bad files, bad arguments, I/O errors) as one clear line and an exit code, and unexpected
 * ones with their stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  /** Exit code for a failed check (a gate, a NaN in a model's outputs); nothing else exits 1. */
  static final int FAILED_CHECK = 1;
  /** Exit code for a bad input file (its contents). */
  static final int BAD_INPUT = 3;
  /** Exit code for other I/O failures. */
  static final int IO_ERROR = 4;

  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    var err = cl.getErr();
    if (ex instanceof FailedCheckException) {
      err.println("ffnfuse: FAILED: " + ex.getMessage());
      return FAILED_CHECK;
    }
    if (ex instanceof ModelFormatException) {
      err.println("ffnfuse: " + ex.getMessage());
      return BAD_INPUT;
    }
    if (ex instanceof IOException) {
      err.println("ffnfuse: I/O error: " + describe((IOException) ex));
      return IO_ERROR;
    }
    if (ex instanceof IllegalArgumentException || ex instanceof CommandLine.ParameterException) {
      err.println("ffnfuse: " + ex.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    ex.printStackTrace(err);
    return CommandLine.ExitCode.SOFTWARE;
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

package org.ffnfuse.formats;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file's contents are not what its format requires: a bad header, an offset outside the file, an unknown dtype, a
 * config field of the wrong type. The message names the file and the offending tensor, node or field, what was expected
 * and what was found, and, where there is one, how to fix it. Control characters in it (a hostile tensor name's
 * terminal escape sequence) are escaped by {@link Printable#escape}, so the message is safe to print.
 *
 * <p>Checked, because the caller did nothing wrong: the file did. Caller mistakes are unchecked.
 */
public class ModelFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Path file;
  private final String detail;

  /**
   * @param file the offending file (or folder, for a sharded checkpoint)
   * @param message what is wrong, naming the tensor/node/field and expected vs actual
   */
  public ModelFormatException(Path file, String message) {
    super(Printable.escape(file + ": " + message));
    this.file = file;
    this.detail = message;
  }

  /** As {@link #ModelFormatException(Path, String)}, with the failure that revealed the problem. */
  public ModelFormatException(Path file, String message, Throwable cause) {
    super(Printable.escape(file + ": " + message), cause);
    this.file = file;
    this.detail = message;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }

  /** The message without the file name: what is wrong. */
  public String detail() {
    return detail;
  }
}

package org.ffnfuse.converters.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Converter for options naming an input file ({@code --text}, {@code --tokenizer}): the file must exist, be a regular
 * file and be readable, checked when the command line is parsed, so a typo fails at once (exit code 2) instead of
 * after minutes of work, and names the file.
 */
final class ReadableFile implements CommandLine.ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    Path p;
    try {
      p = Path.of(value);
    } catch (InvalidPathException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a file name: " + e.getReason());
    }
    if (!Files.exists(p)) {
      throw new CommandLine.TypeConversionException(value + ": no such file");
    }
    if (Files.isDirectory(p)) {
      throw new CommandLine.TypeConversionException(value + ": is a folder; give a file");
    }
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new CommandLine.TypeConversionException(value + ": not a readable file");
    }
    return p;
  }
}

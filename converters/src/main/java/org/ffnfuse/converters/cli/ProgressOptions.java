package org.ffnfuse.converters.cli;

import picocli.CommandLine.Option;

/**
 * The option every command with progress bars shares ({@code @Mixin ProgressOptions progress;}): {@code --quiet}
 * turns the progress bars on stderr off.
 */
public final class ProgressOptions {
  @Option(names = {"-q", "--quiet"}, description = "no progress bars on stderr")
  boolean quiet;

  /** Whether {@code --quiet} was given. */
  public boolean quiet() {
    return quiet;
  }

  /** Progress bars on stderr, or none with {@code --quiet}. */
  public ProgressBars bars() {
    return quiet ? ProgressBars.disabled() : ProgressBars.stderr();
  }
}

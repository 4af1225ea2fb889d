package org.ffnfuse.converters.cli;

import picocli.CommandLine.Option;

/**
 * The output options every long-running command shares ({@code @Mixin ProgressOptions progress;}): {@code --quiet}
 * turns the progress bars on stderr off, {@code --json} prints machine-readable results on stdout instead of tables.
 */
public final class ProgressOptions {
  @Option(names = {"-q", "--quiet"}, description = "no progress bars on stderr")
  boolean quiet;

  @Option(names = "--json", description = "print machine-readable JSON results on stdout instead of tables")
  boolean json;

  /** Whether {@code --quiet} was given. */
  public boolean quiet() {
    return quiet;
  }

  /** Whether {@code --json} was given. */
  public boolean json() {
    return json;
  }

  /** Progress bars on stderr, or none with {@code --quiet}. */
  public ProgressBars bars() {
    return quiet ? ProgressBars.disabled() : ProgressBars.stderr();
  }
}

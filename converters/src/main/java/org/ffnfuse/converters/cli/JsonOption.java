package org.ffnfuse.converters.cli;

import picocli.CommandLine.Option;

/** {@code --json} ({@code @Mixin JsonOption json;}): machine-readable results on stdout instead of tables. */
public final class JsonOption {
  @Option(names = "--json", description = "print machine-readable JSON results on stdout instead of tables")
  boolean json;

  /** Whether {@code --json} was given. */
  public boolean json() {
    return json;
  }
}

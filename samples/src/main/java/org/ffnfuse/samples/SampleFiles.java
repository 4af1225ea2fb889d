package org.ffnfuse.samples;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the bundled sample models ({@code samples/models}) and texts ({@code samples/text}) whether an example runs
 * from the repository root ({@code mvn -pl samples exec:java}), from {@code samples/}, or in the tests (system property
 * {@code ffnfuse.samples.dir}).
 */
public final class SampleFiles {
  private SampleFiles() {}

  /** The bundled models folder. */
  public static Path modelsDir() {
    String prop = System.getProperty("ffnfuse.samples.dir");
    if (prop != null) {
      return Path.of(prop);
    }
    Path fromRoot = Path.of("samples", "models");
    return Files.isDirectory(fromRoot) ? fromRoot : Path.of("models");
  }

  /** A bundled model, e.g. {@code model("nas-austen-16l")}. */
  public static Path model(String name) {
    return modelsDir().resolve(name);
  }

  /** A bundled text, e.g. {@code text("persuasion-excerpt.txt")}. */
  public static Path text(String name) {
    return modelsDir().resolveSibling("text").resolve(name);
  }

  /** {@code args[i]} as a path, or {@code fallback} when not given. */
  public static Path arg(String[] args, int i, Path fallback) {
    return args.length > i ? Path.of(args[i]) : fallback;
  }
}

package org.ffnfuse.converters.heal;

import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the {@link DistillationBackend} on the class path. */
public final class Distillation {
  /** How to get a backend, for error messages. */
  public static final String HOW_TO_ENABLE = "--method distill needs the optional TensorFlow module: build it with"
      + " `mvn -Pheal -DskipTests package` (it lands in converters/heal-tensorflow/target/, and the ./ffnfuse launcher"
      + " puts ffnfuse-heal-tensorflow.jar and its lib/ folder on the class path when they are there), or use"
      + " --method lstsq, which needs no extra module";

  private Distillation() {}

  /** The first backend {@link ServiceLoader} finds, if any. */
  public static Optional<DistillationBackend> backend() {
    return ServiceLoader.load(DistillationBackend.class, Distillation.class.getClassLoader()).findFirst();
  }

  /**
   * The backend.
   *
   * @throws IllegalStateException if none is on the class path, saying how to enable one
   */
  public static DistillationBackend require() {
    return backend().orElseThrow(() -> new IllegalStateException(HOW_TO_ENABLE));
  }
}

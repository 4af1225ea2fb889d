package org.ffnfuse.converters.batch;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;

/**
 * One model found in a zoo.
 *
 * @param path the checkpoint folder or .onnx file
 * @param name its path relative to the zoo, '/'-separated, without {@code .onnx}: also where its output goes
 *     ({@code <out-dir>/<name>})
 * @param checkpoint whether it is a checkpoint folder (else an ONNX file)
 */
public record ZooModel(Path path, String name, boolean checkpoint) {
  public ZooModel {
    checkNotNull(path);
    checkArgument(!name.isEmpty() && !name.startsWith("/") && !name.contains(".."), "bad model name '%s'", name);
  }
}

package org.ffnfuse.converters.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.tensor.DType;

/**
 * A model argument made runnable on ONNX Runtime: an {@code .onnx} file as is, or a checkpoint folder exported to a
 * temporary fp32 ONNX file that {@link #close()} deletes. Knows where the tokenizer is and the BOS id when it can.
 */
public final class RunnableModel implements AutoCloseable {
  private final Path source;
  private final Path onnx;
  private final Optional<Path> tempDir;
  private final Optional<ModelConfig> config;

  private RunnableModel(Path source, Path onnx, Optional<Path> tempDir, Optional<ModelConfig> config) {
    this.source = source;
    this.onnx = onnx;
    this.tempDir = tempDir;
    this.config = config;
  }

  /**
   * Opens {@code model}: an {@code .onnx} file, or a checkpoint folder (exported now, fp32).
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static RunnableModel open(Path model) throws IOException {
    if (Files.isRegularFile(model) && model.toString().endsWith(".onnx")) {
      Optional<ModelConfig> cfg = Files.isRegularFile(model.resolveSibling("config.json"))
          ? Optional.of(HfConfigReader.read(model.resolveSibling("config.json"))) : Optional.empty();
      return new RunnableModel(model, model, Optional.empty(), cfg);
    }
    if (Files.isDirectory(model) && Files.isRegularFile(model.resolve("config.json"))) {
      ModelConfig cfg = HfConfigReader.read(model);
      Path dir = Files.createTempDirectory("ffnfuse-export-");
      try {
        Path out = dir.resolve("model.onnx");
        OnnxExporter.export(model, out, ExportOptions.defaults().withWeightType(DType.F32));
        return new RunnableModel(model, out, Optional.of(dir), Optional.of(cfg));
      } catch (IOException | RuntimeException e) {
        try {
          AtomicFiles.deleteTree(dir);
        } catch (IOException c) {
          e.addSuppressed(c);
        }
        throw e;
      }
    }
    throw new IllegalArgumentException(model + ": expected an .onnx file or a checkpoint folder with config.json");
  }

  /** What the user named. */
  public Path source() {
    return source;
  }

  /** The ONNX file to run. */
  public Path onnx() {
    return onnx;
  }

  /** The config, for checkpoints (or an .onnx with config.json beside it). */
  public Optional<ModelConfig> config() {
    return config;
  }

  /** Whether the source is a checkpoint folder. */
  public boolean isCheckpoint() {
    return Files.isDirectory(source);
  }

  /** {@code tokenizer.json} in the checkpoint folder or beside the ONNX file, if there. */
  public Optional<Path> tokenizer() {
    Path dir = isCheckpoint() ? source : source.toAbsolutePath().getParent();
    Path t = dir.resolve("tokenizer.json");
    return Files.isRegularFile(t) ? Optional.of(t) : Optional.empty();
  }

  /** The config's {@code bos_token_id}, if known. */
  public OptionalLong bos() {
    return config.flatMap(c -> c.bosTokenId().isPresent() ? Optional.of((long) c.bosTokenId().getAsInt())
        : Optional.empty()).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  @Override
  public void close() throws IOException {
    if (tempDir.isPresent()) {
      AtomicFiles.deleteTree(tempDir.get());
    }
  }
}

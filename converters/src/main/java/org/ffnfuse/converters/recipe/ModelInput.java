package org.ffnfuse.converters.recipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;

/**
 * The model a run starts from: a checkpoint folder (config.json + safetensors) or an {@code .onnx} file, with its
 * config (for ONNX: a config.json beside it, if any), tokenizer and BOS id when known.
 *
 * @param path as the user named it
 * @param checkpoint whether it is a checkpoint folder
 * @param config the parsed config.json
 * @param tokenizer {@code tokenizer.json} in the folder (checkpoint) or beside the file (ONNX)
 */
record ModelInput(Path path, boolean checkpoint, Optional<ModelConfig> config, Optional<Path> tokenizer) {

  /**
   * Looks at {@code model}; a checkpoint's config.json is parsed now, so an unsupported {@code model_type} fails before
   * any work.
   *
   * @throws IllegalArgumentException if it is neither a checkpoint folder nor an .onnx file
   */
  static ModelInput open(Path model) throws IOException {
    if (Files.isDirectory(model)) {
      if (!Files.isRegularFile(model.resolve("config.json"))) {
        throw new IllegalArgumentException(model + ": a checkpoint folder needs config.json (and *.safetensors)");
      }
      return new ModelInput(model, true, Optional.of(HfConfigReader.read(model)), file(model.resolve("tokenizer.json")));
    }
    if (Files.isRegularFile(model) && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      Path dir = model.toAbsolutePath().getParent();
      Optional<ModelConfig> cfg = Files.isRegularFile(dir.resolve("config.json"))
          ? Optional.of(HfConfigReader.read(dir.resolve("config.json"))) : Optional.empty();
      return new ModelInput(model, false, cfg, file(dir.resolve("tokenizer.json")));
    }
    throw new IllegalArgumentException(model + ": expected a checkpoint folder (config.json + *.safetensors) or an"
        + " .onnx file");
  }

  private static Optional<Path> file(Path p) {
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /** The folder whose side files (tokenizer, generation config) go with the model. */
  Path sideFileDir() {
    return checkpoint ? path : path.toAbsolutePath().getParent();
  }

  /** {@code bos_token_id} from the config, if known. */
  OptionalLong bos() {
    return config.filter(c -> c.bosTokenId().isPresent()).map(c -> OptionalLong.of(c.bosTokenId().getAsInt()))
        .orElse(OptionalLong.empty());
  }
}

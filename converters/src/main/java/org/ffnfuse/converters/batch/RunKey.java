package org.ffnfuse.converters.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.recipe.Calibration;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeYaml;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.JsonFiles;

/**
 * What a model's batch output was made from. A batch reuses a finished output only while all three are unchanged.
 *
 * @param recipe SHA-256 of the recipe as canonical YAML ({@link RecipeYaml#toYaml}) and of the size and modification
 *     time of each text it reads (calibration and verify texts)
 * @param input SHA-256 over each input file's path (relative to the model), size and modification time
 *     ({@link ModelPaths#files})
 * @param tool the ffnfuse version that wrote it
 */
record RunKey(String recipe, String input, String tool) {
  /** The key of running {@code recipe} on {@code model} now. */
  static RunKey of(ZooModel model, Recipe recipe) throws IOException {
    Path base = Files.isDirectory(model.path()) ? model.path().toRealPath()
        : model.path().toAbsolutePath().getParent();
    StringBuilder files = new StringBuilder();
    for (Path f : ModelPaths.files(model.path())) {
      Path rel = base.relativize(f.toAbsolutePath());
      files.append(rel).append('\t').append(Files.size(f)).append('\t')
          .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
    }
    return new RunKey(sha256(RecipeYaml.toYaml(recipe) + textStamps(recipe)), sha256(files.toString()),
        toolVersion());
  }

  /** One line per text the recipe reads: its path, size and modification time (or "missing"). */
  private static String textStamps(Recipe recipe) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Optional<Path> text : List.of(recipe.calibration().map(Calibration::text), recipe.verifyText())) {
      if (text.isPresent()) {
        Path t = text.get();
        sb.append(t).append('\t').append(Files.isRegularFile(t)
            ? Files.size(t) + "\t" + Files.getLastModifiedTime(t).toMillis() : "missing").append('\n');
      }
    }
    return sb.toString();
  }

  /** The key stored in {@code file}; empty if there is none or it does not read as one. */
  static Optional<RunKey> read(Path file) {
    try {
      JsonNode n = JsonFiles.read(file, 1 << 16, "batch run key");
      return Optional.of(new RunKey(n.path("recipe").asText(), n.path("input").asText(), n.path("tool").asText()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Stores this key in {@code file} (atomically). */
  void write(Path file) throws IOException {
    AtomicFiles.writeString(file, new ObjectMapper().createObjectNode().put("recipe", recipe).put("input", input)
        .put("tool", tool).toPrettyString() + "\n");
  }

  /** What differs between {@code earlier} and this key, in words ("the recipe changed"); empty if nothing. */
  List<String> changesSince(RunKey earlier) {
    List<String> out = new ArrayList<>();
    if (!recipe.equals(earlier.recipe)) {
      out.add("the recipe or a text it reads changed");
    }
    if (!input.equals(earlier.input)) {
      out.add("the input changed");
    }
    if (!tool.equals(earlier.tool)) {
      out.add("ffnfuse changed (" + earlier.tool + " → " + tool + ")");
    }
    return out;
  }

  private static String toolVersion() {
    String v = RunKey.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}

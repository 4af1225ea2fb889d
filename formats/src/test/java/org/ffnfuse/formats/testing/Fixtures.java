package org.ffnfuse.formats.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates test models. Bundled ones ({@code samples/models}: stories260k, nas-austen-16l, random/*) are always there;
 * shared ones ({@code ../shared/models}) are for tests tagged {@code acceptance}, which fail loudly when the folder is
 * missing rather than skip.
 */
public final class Fixtures {
  /** JUnit tag of tests that need {@code ../shared/models}; run by {@code mvn verify -Pacceptance}. */
  public static final String ACCEPTANCE = "acceptance";

  private Fixtures() {}

  /** A bundled model folder, e.g. {@code bundled("random/llama")}. */
  public static Path bundled(String name) {
    Path root = Path.of(System.getProperty("ffnfuse.samples.dir", "../samples/models"));
    Path p = root.resolve(name);
    if (!Files.isDirectory(p)) {
      throw new AssertionError("bundled fixture " + p.toAbsolutePath() + " is missing (samples/models in the repo)");
    }
    return p;
  }

  /** A model folder under {@code ../shared/models}, e.g. {@code shared("llama-austen-16l")}. */
  public static Path shared(String name) {
    Path p = sharedRoot().resolve("models").resolve(name);
    if (!Files.isDirectory(p)) {
      throw new AssertionError("acceptance fixture " + p.toAbsolutePath() + " is missing: the acceptance profile needs"
          + " ../shared/models beside the repository (set -Dffnfuse.shared.dir=... to point elsewhere)");
    }
    return p;
  }

  /** A text under {@code ../shared/text}, e.g. {@code sharedText("austen-persuasion.txt")}. */
  public static Path sharedText(String name) {
    Path p = sharedRoot().resolve("text").resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new AssertionError("acceptance text " + p.toAbsolutePath() + " is missing");
    }
    return p;
  }

  private static Path sharedRoot() {
    return Path.of(System.getProperty("ffnfuse.shared.dir", "../../shared"));
  }

  /** The parsed {@code reference.json} of a model folder. */
  public static Reference reference(Path modelDir) {
    try {
      JsonNode n = new ObjectMapper().readTree(modelDir.resolve("reference.json").toFile());
      long[] ids = new long[n.get("input_ids").size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = n.get("input_ids").get(i).asLong();
      }
      float[] last = new float[n.get("last_logits").size()];
      for (int i = 0; i < last.length; i++) {
        last[i] = (float) n.get("last_logits").get(i).asDouble();
      }
      return new Reference(ids, last);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Token ids and the logits of the last position, from {@code reference.json}. */
  public static final class Reference {
    private final long[] inputIds;
    private final float[] lastLogits;

    Reference(long[] inputIds, float[] lastLogits) {
      this.inputIds = inputIds;
      this.lastLogits = lastLogits;
    }

    public long[] inputIds() {
      return inputIds.clone();
    }

    public float[] lastLogits() {
      return lastLogits.clone();
    }
  }
}

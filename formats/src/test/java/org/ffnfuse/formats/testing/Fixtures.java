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
      // One sequence ([T] ids, [V] logits) or a batch ([B][T] ids, [B][V] logits, as in random/*).
      JsonNode ids = n.get("input_ids");
      JsonNode last = n.get("last_logits");
      boolean batched = ids.get(0).isArray();
      int batch = batched ? ids.size() : 1;
      long[][] idRows = new long[batch][];
      float[][] lastRows = new float[batch][];
      for (int b = 0; b < batch; b++) {
        JsonNode idRow = batched ? ids.get(b) : ids;
        JsonNode lastRow = batched ? last.get(b) : last;
        idRows[b] = new long[idRow.size()];
        for (int i = 0; i < idRows[b].length; i++) {
          idRows[b][i] = idRow.get(i).asLong();
        }
        lastRows[b] = new float[lastRow.size()];
        for (int i = 0; i < lastRows[b].length; i++) {
          lastRows[b][i] = (float) lastRow.get(i).asDouble();
        }
      }
      return new Reference(idRows, lastRows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Token ids and the logits of the last position, from {@code reference.json}: one sequence, or a batch of equally
   * long sequences (random/* fixtures).
   */
  public static final class Reference {
    private final long[][] inputIds;
    private final float[][] lastLogits;

    Reference(long[][] inputIds, float[][] lastLogits) {
      this.inputIds = inputIds;
      this.lastLogits = lastLogits;
    }

    /** The ids of the first (often only) sequence. */
    public long[] inputIds() {
      return inputIds[0].clone();
    }

    /** The last position's logits of the first (often only) sequence. */
    public float[] lastLogits() {
      return lastLogits[0].clone();
    }

    /** Ids of every sequence, {@code [batch][seq]}. */
    public long[][] inputIdsBatch() {
      return java.util.Arrays.stream(inputIds).map(long[]::clone).toArray(long[][]::new);
    }

    /** The last position's logits of every sequence, {@code [batch][vocab]}. */
    public float[][] lastLogitsBatch() {
      return java.util.Arrays.stream(lastLogits).map(float[]::clone).toArray(float[][]::new);
    }
  }
}

package org.ffnfuse.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.batch.BatchListener;
import org.ffnfuse.converters.batch.BatchOptions;
import org.ffnfuse.converters.batch.BatchReport;
import org.ffnfuse.converters.batch.BatchRunner;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeYaml;

/**
 * Runs one recipe on every model under a folder, two at a time, as
 * {@code ffnfuse batch ZOO --recipe FILE -o OUT --jobs 2} does, and prints the summary table. Run it twice on the same
 * output: finished models are skipped.
 *
 * <pre>mvn -q -pl samples exec:java -Dexec.mainClass=org.ffnfuse.samples.BatchZoo \
 *     [-Dexec.args="ZOO OUT [recipe.yaml]"]</pre>
 *
 * <p>Defaults: every bundled model ({@code samples/models}: stories260k, nas-austen-16l, random/*) and a recipe that
 * fits them all — remove attention in blocks 2..3, fuse blocks 1..3, write ONNX, verify on stories260k's
 * pre-tokenized TinyStories ids. Those ids mean something only to stories260k (its perplexity goes from about 4.9 to
 * about 24: removing attention without healing is costly); the random/* models score near their vocabulary size
 * whatever happens, and nas-austen-16l speaks another tokenizer. The example shows the mechanics; give a recipe of
 * your own for a real zoo.
 */
public final class BatchZoo {
  private BatchZoo() {}

  public static void main(String[] args) throws Exception {
    Path zoo = SampleFiles.arg(args, 0, SampleFiles.modelsDir());
    Path out = SampleFiles.arg(args, 1, Files.createTempDirectory("ffnfuse-sample-").resolve("zoo-out"));

    Recipe recipe;
    if (args.length > 2) {
      recipe = RecipeYaml.read(Path.of(args[2]));
    } else {
      Path ids = SampleFiles.model("stories260k/tinystories-tokens.json").toAbsolutePath();
      recipe = RecipeYaml.parse("""
          drop_attention: {blocks: "2-3"}
          plan: {chains: "1-3"}
          output: {format: onnx}
          verify: {text: %s, window: 64, windows: 4}
          """.formatted(ids), Path.of("BatchZoo recipe"), Path.of("."));
    }

    BatchReport report = BatchRunner.run(zoo, recipe, out, new BatchOptions(2, 4L << 30), BatchListener.NONE);
    System.out.print(report.toMarkdown());
    System.out.println("wrote " + out);
  }
}

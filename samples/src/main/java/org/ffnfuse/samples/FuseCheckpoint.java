package org.ffnfuse.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Fuses the FFNs of blocks 8..13 of a nemotron-nas checkpoint into one wide FFN and writes a nemotron-nas checkpoint
 * — what {@code ffnfuse fuse MODEL --chains 8-13 -o OUT} does.
 *
 * <pre>mvn -q -pl samples exec:java -Dexec.mainClass=org.ffnfuse.samples.FuseCheckpoint [-Dexec.args="MODEL OUT"]</pre>
 *
 * <p>Defaults: the bundled {@code nas-austen-16l} (attention removed in blocks 8..14), output in a new temporary
 * folder.
 */
public final class FuseCheckpoint {
  private FuseCheckpoint() {}

  public static void main(String[] args) throws Exception {
    Path model = SampleFiles.arg(args, 0, SampleFiles.model("nas-austen-16l"));
    Path out = SampleFiles.arg(args, 1, Files.createTempDirectory("ffnfuse-sample-").resolve("fused"));

    FusionPlan plan = FusionPlan.parse("8-13");
    Fusion.fuse(model, plan, out, "same", false);

    ModelConfig before = HfConfigReader.read(model);
    ModelConfig after = HfConfigReader.read(out);
    System.out.printf("fused chains %s: %d blocks → %d; wrote %s%n", plan, before.numLayers(), after.numLayers(),
        out);
  }
}

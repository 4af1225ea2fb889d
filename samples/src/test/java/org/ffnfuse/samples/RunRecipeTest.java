package org.ffnfuse.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecipeTest {
  @Test
  void main_recipeBuiltInCode_writesTheRunFolder(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    String printed = SampleOutput.run(RunRecipe::main, Fixtures.bundled("nas-austen-16l").toString(),
        out.toString());
    assertTrue(Files.isRegularFile(out.resolve("model/model.onnx")));
    assertTrue(Files.isRegularFile(out.resolve("SHA256SUMS")));
    assertTrue(printed.contains("- fused: chains 8-13 (6 FFNs → 1, named in the recipe)"), printed);
  }

  @Test
  void main_recipeFile_isRead(@TempDir Path tmp) throws Exception {
    Path recipe = Files.writeString(tmp.resolve("r.yaml"), "plan: {chains: \"8-14\"}\n");
    Path out = tmp.resolve("run");
    String printed = SampleOutput.run(RunRecipe::main, Fixtures.bundled("nas-austen-16l").toString(),
        out.toString(), recipe.toString());
    assertTrue(Files.isDirectory(out.resolve("model")), "checkpoint output by default");
    assertTrue(printed.contains("chains 8-14 (7 FFNs → 1"), printed);
  }
}

package org.ffnfuse.converters.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API refuses, as the CLI does, a recipe output that would land on one of the run's inputs. */
class RecipeRunnerOutputGuardTest {
  private static final String CHAINS_ONLY = "plan: {chains: \"2-3\"}\noutput: {format: onnx}\n";

  @Test
  void run_outputInsideTheModelFolder_refusedBeforeAnyWork(@TempDir Path tmp) throws IOException {
    Path model = copyOfRandomLlama(tmp);
    Recipe recipe = RecipeYaml.parse(CHAINS_ONLY, tmp.resolve("recipe.yaml"), tmp);
    Path out = model.resolve("fused");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecipeRunner.run(model, recipe, out, RunListener.NONE));
    assertTrue(e.getMessage().contains(model.toString()), e.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void run_outputIsTheVerifyText_refusedAndTheTextStays(@TempDir Path tmp) throws IOException {
    Path model = copyOfRandomLlama(tmp);
    Path ids = RecipeTesting.ids(tmp.resolve("in"), "ids.json", 64, 512, 3);
    byte[] before = Files.readAllBytes(ids);
    Recipe recipe = RecipeYaml.parse(CHAINS_ONLY + "verify: {text: %s, window: 16, windows: 2}\n".formatted(ids),
        tmp.resolve("in/recipe.yaml"), tmp);
    assertThrows(IllegalArgumentException.class, () -> RecipeRunner.run(model, recipe, ids, RunListener.NONE));
    assertArrayEquals(before, Files.readAllBytes(ids));
  }

  private static Path copyOfRandomLlama(Path tmp) throws IOException {
    Path src = Fixtures.bundled("random").resolve("llama");
    Path dst = Files.createDirectories(tmp.resolve("llama"));
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(src.resolve(f), dst.resolve(f));
    }
    return dst;
  }
}

package org.ffnfuse.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchZooTest {
  @Test
  void main_twoModels_thenAgain_skipsThem(@TempDir Path tmp) throws Exception {
    Path zoo = Files.createDirectories(tmp.resolve("zoo"));
    Files.createSymbolicLink(zoo.resolve("stories260k"), Fixtures.bundled("stories260k").toAbsolutePath());
    Files.createSymbolicLink(zoo.resolve("llama"), Fixtures.bundled("random/llama").toAbsolutePath());
    Path out = tmp.resolve("out");

    String first = SampleOutput.run(BatchZoo::main, zoo.toString(), out.toString());
    assertTrue(first.contains("| llama | done |") && first.contains("| stories260k | done |"), first);
    String second = SampleOutput.run(BatchZoo::main, zoo.toString(), out.toString());
    assertTrue(second.contains("2 models: 0 done, 2 skipped"), second);
  }
}

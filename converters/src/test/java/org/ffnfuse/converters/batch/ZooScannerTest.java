package org.ffnfuse.converters.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooScannerTest {
  @Test
  void scan_findsCheckpointsAndOnnxFiles_sortedWithoutDescendingIntoCheckpoints(@TempDir Path zoo)
      throws Exception {
    Path llama = Fixtures.bundled("random/llama").toAbsolutePath();
    Files.createSymbolicLink(zoo.resolve("llama"), llama);
    Files.createDirectories(zoo.resolve("exports/tiny"));
    Files.createSymbolicLink(zoo.resolve("exports/tiny/model.onnx"), llama.resolve("model.dynamo.onnx"));
    Files.createDirectories(zoo.resolve(".hidden"));
    Files.createSymbolicLink(zoo.resolve(".hidden/model.onnx"), llama.resolve("model.dynamo.onnx"));
    Files.createDirectories(zoo.resolve("empty/config-only"));
    Files.writeString(zoo.resolve("empty/config-only/config.json"), "{}");
    Files.createSymbolicLink(zoo.resolve("exports/loop"), zoo);

    List<ZooModel> models = ZooScanner.scan(zoo);

    assertEquals(List.of("exports/tiny/model", "llama"), models.stream().map(ZooModel::name).toList());
    assertTrue(models.get(1).checkpoint(), "llama is a checkpoint; its own .onnx files are not separate models");
    assertEquals(zoo.resolve("exports/tiny/model.onnx"), models.get(0).path());
  }

  @Test
  void scan_outputInsideTheZoo_isNotScanned(@TempDir Path zoo) throws Exception {
    Path llama = Fixtures.bundled("random/llama").toAbsolutePath();
    Files.createSymbolicLink(zoo.resolve("llama"), llama);
    Path out = Files.createDirectories(zoo.resolve("out/llama/model"));
    Files.copy(llama.resolve("model.dynamo.onnx"), out.resolve("model.onnx"));
    assertEquals(List.of("llama"), ZooScanner.scan(zoo, java.util.Optional.of(zoo.resolve("out"))).stream()
        .map(ZooModel::name).toList());
    assertEquals(2, ZooScanner.scan(zoo).size());
  }

  @Test
  void scan_twoModelsOneOutput_throws(@TempDir Path zoo) throws Exception {
    Path llama = Fixtures.bundled("random/llama").toAbsolutePath();
    Files.createSymbolicLink(zoo.resolve("m"), llama);
    Files.createSymbolicLink(zoo.resolve("m.onnx"), llama.resolve("model.dynamo.onnx"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZooScanner.scan(zoo));
    assertTrue(e.getMessage().contains("same output folder 'm'"), e.getMessage());
  }

  @Test
  void scan_rootIsACheckpoint_throws() {
    assertThrows(IllegalArgumentException.class, () -> ZooScanner.scan(Fixtures.bundled("random/llama")));
  }

  @Test
  void scan_notAFolder_throws(@TempDir Path tmp) {
    assertThrows(java.nio.file.NotDirectoryException.class, () -> ZooScanner.scan(tmp.resolve("nope")));
  }
}

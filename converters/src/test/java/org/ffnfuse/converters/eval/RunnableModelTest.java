package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnableModelTest {
  @Test
  void open_checkpoint_exportsToATemporaryFileThatCloseDeletes() throws Exception {
    Path dir = Fixtures.bundled("random/gemma");
    Path onnx;
    try (RunnableModel m = RunnableModel.open(dir)) {
      onnx = m.onnx();
      assertTrue(Files.isRegularFile(onnx));
      assertFalse(onnx.startsWith(dir));
      assertEquals(dir, m.source());
      assertTrue(m.isCheckpoint());
      assertEquals(OptionalLong.of(2), m.bos()); // gemma's bos_token_id
      assertEquals(512, m.config().orElseThrow().vocabSize());
      assertEquals(Optional.empty(), m.tokenizer());
    }
    assertFalse(Files.exists(onnx));
    assertFalse(Files.exists(onnx.getParent()));
  }

  @Test
  void open_onnxWithConfigAndTokenizerBeside_findsBoth(@TempDir Path tmp) throws Exception {
    Path nas = Fixtures.bundled("nas-austen-16l");
    Path onnx = Files.copy(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), tmp.resolve("m.onnx"));
    Files.copy(nas.resolve("config.json"), tmp.resolve("config.json"));
    Files.copy(nas.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
    try (RunnableModel m = RunnableModel.open(onnx)) {
      assertEquals(onnx, m.onnx());
      assertEquals(onnx, m.source());
      assertFalse(m.isCheckpoint());
      assertEquals(OptionalLong.of(1), m.bos());
      assertEquals(Optional.of(tmp.resolve("tokenizer.json").toAbsolutePath()), m.tokenizer());
    }
    assertTrue(Files.isRegularFile(onnx), "close leaves the user's file alone");
  }

  @Test
  void open_onnxAlone_noConfigNoBos(@TempDir Path tmp) throws Exception {
    Path onnx = Files.copy(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), tmp.resolve("m.onnx"));
    try (RunnableModel m = RunnableModel.open(onnx)) {
      assertEquals(Optional.empty(), m.config());
      assertEquals(OptionalLong.empty(), m.bos());
      assertEquals(Optional.empty(), m.tokenizer());
    }
  }

  @Test
  void bos_configWithoutBos_isEmpty(@TempDir Path tmp) throws Exception {
    Path onnx = Files.copy(Fixtures.bundled("random/qwen2").resolve("model.dynamo.onnx"), tmp.resolve("m.onnx"));
    Files.copy(Fixtures.bundled("random/qwen2").resolve("config.json"), tmp.resolve("config.json"));
    try (RunnableModel m = RunnableModel.open(onnx)) {
      assertTrue(m.config().isPresent());
      assertEquals(OptionalLong.empty(), m.bos());
    }
  }

  @Test
  void open_neitherOnnxNorCheckpoint_throws(@TempDir Path tmp) throws Exception {
    Path txt = Files.writeString(tmp.resolve("m.txt"), "x");
    assertThrows(IllegalArgumentException.class, () -> RunnableModel.open(txt));
    assertThrows(IllegalArgumentException.class, () -> RunnableModel.open(tmp));
    assertThrows(IllegalArgumentException.class, () -> RunnableModel.open(tmp.resolve("absent.onnx")));
    Path dirNamedOnnx = Files.createDirectory(tmp.resolve("d.onnx"));
    assertThrows(IllegalArgumentException.class, () -> RunnableModel.open(dirNamedOnnx));
  }

  @Test
  void open_brokenCheckpoint_removesItsTemporaryFolder(@TempDir Path tmp) throws Exception {
    Path ck = Files.createDirectory(tmp.resolve("ck"));
    Files.copy(Fixtures.bundled("random/llama").resolve("config.json"), ck.resolve("config.json"));
    Files.writeString(ck.resolve("model.safetensors"), "not safetensors");
    long before = exportFolders();
    assertThrows(java.io.IOException.class, () -> RunnableModel.open(ck));
    assertEquals(before, exportFolders());
  }

  private static long exportFolders() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("ffnfuse-export-")).count();
    }
  }
}

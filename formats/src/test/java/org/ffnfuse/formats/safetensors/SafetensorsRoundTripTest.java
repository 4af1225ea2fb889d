package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Read → write reproduces real checkpoints byte for byte. */
class SafetensorsRoundTripTest {
  @TempDir Path out;

  static List<Path> safetensorsUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }
  }

  static List<Path> bundledFiles() throws IOException {
    return safetensorsUnder(Fixtures.bundled("random").getParent());
  }

  /** Copies {@code src} with {@link SafetensorsWriter#copy(SafetensorsFile, Path)} and compares bytes. */
  static void assertCopyIdentical(Path src, Path dst) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(src)) {
      SafetensorsWriter.copy(f, dst);
    }
    assertEquals(-1, Files.mismatch(src, dst), () -> dst + " differs from " + src);
  }

  /** Copies a sharded checkpoint; shards must be identical and the index mean the same. */
  static void assertShardedCopyIdentical(Path srcDir, Path dstDir) throws IOException {
    try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(srcDir)) {
      assertTrue(c.indexFile().isPresent(), srcDir + " is not sharded");
      List<Path> written = SafetensorsWriter.copy(c, dstDir);
      assertEquals(c.shardFiles().size() + 1, written.size());
      for (Path shard : c.shardFiles()) {
        Path copy = dstDir.resolve(shard.getFileName());
        assertEquals(-1, Files.mismatch(shard, copy), () -> copy + " differs from " + shard);
      }
    }
    ObjectMapper m = new ObjectMapper();
    JsonNode want = m.readTree(srcDir.resolve(SafetensorsCheckpoint.INDEX_FILE).toFile());
    JsonNode got = m.readTree(dstDir.resolve(SafetensorsCheckpoint.INDEX_FILE).toFile());
    assertEquals(want, got);
  }

  @ParameterizedTest
  @MethodSource("bundledFiles")
  void copy_bundledFile_isByteIdentical(Path src) throws IOException {
    assertCopyIdentical(src, out.resolve(src.getFileName()));
  }

  @Test
  void bundledFiles_includeEveryFixture() throws IOException {
    List<Path> files = bundledFiles();
    assertEquals(8, files.size(), () -> "bundled safetensors files: " + files);
  }

  /**
   * Files written by the safetensors library (metadata first, data in key order) are reproduced byte for byte by the
   * plain writer, without any layout: our headers are the reference implementation's.
   */
  @ParameterizedTest
  @ValueSource(strings = {"random/llama", "random/qwen2", "random/gemma", "random/phi3", "random/gpt2"})
  void write_plainWriterOnLibraryWrittenFile_isByteIdentical(String model) throws IOException {
    Path src = Fixtures.bundled(model).resolve("model.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(src)) {
      SafetensorsWriter w = SafetensorsWriter.builder(out).metadata(f.metadata()).build();
      for (String n : f.names()) {
        w.add(n, f.tensor(n));
      }
      w.write();
    }
    assertEquals(-1, Files.mismatch(src, out.resolve("model.safetensors")));
  }

  @Test
  void copy_bundledShardedNasAusten_identicalShardsAndIndex() throws IOException {
    assertShardedCopyIdentical(Fixtures.bundled("nas-austen-16l"), out.resolve("nas"));
  }

  /** Real-model round trips on {@code ../shared/models}. */
  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class Shared {
    @Test
    void copy_everySharedSafetensorsFile_isByteIdentical() throws IOException {
      List<Path> files = safetensorsUnder(Fixtures.shared("stories260k").getParent());
      assertTrue(files.size() >= 10, () -> "expected every shared model, found " + files);
      for (Path src : files) {
        assertCopyIdentical(src, out.resolve(src.getParent().getFileName() + "-" + src.getFileName()));
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nas-austen-16l", "llama-austen-16l"})
    void copy_shardedCheckpoint_identicalShardsAndIndex(String model) throws IOException {
      assertShardedCopyIdentical(Fixtures.shared(model), out.resolve(model));
    }

    @Test
    void toFloats_llamaAustenBf16_everyValueIsItsBf16BitsExactly() throws IOException {
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(Fixtures.shared("llama-austen-16l"))) {
        assertEquals(c.indexMetadata().get("total_size"), c.totalBytes());
        long n = 0;
        for (String name : c.names()) {
          Tensor t = c.tensor(name);
          assertEquals(DType.BF16, t.dtype(), name);
          float[] f = t.toFloats();
          java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate((int) t.byteSize())
              .order(java.nio.ByteOrder.LITTLE_ENDIAN);
          t.read(0, raw);
          for (int i = 0; i < f.length; i++) {
            if (Float.floatToRawIntBits(f[i]) != (raw.getShort(2 * i) & 0xffff) << 16) {
              throw new AssertionError(name + "[" + i + "] = " + f[i] + " is not its bf16 value");
            }
          }
          n += f.length;
        }
        assertEquals(c.indexMetadata().get("total_parameters"), n);
      }
    }
  }
}

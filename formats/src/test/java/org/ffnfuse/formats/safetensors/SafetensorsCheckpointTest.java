package org.ffnfuse.formats.safetensors;

import static org.ffnfuse.formats.safetensors.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsCheckpointTest {
  @TempDir Path dir;

  private static final String SHARD1 = "model-00001-of-00002.safetensors";
  private static final String SHARD2 = "model-00002-of-00002.safetensors";

  /** Two shards: a, b in the first; c in the second. */
  @BeforeEach
  void twoShards() throws IOException {
    RawSafetensors.write(dir.resolve(SHARD1), "{" + entry("a", "F32", "[2]", 0, 8) + ","
        + entry("b", "U8", "[4]", 8, 12) + "}", 12);
    RawSafetensors.write(dir.resolve(SHARD2), "{" + entry("c", "I64", "[1]", 0, 8) + "}", 8);
  }

  private Path index(String json) throws IOException {
    return Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), json);
  }

  private static String weightMap(String entries) {
    return "{\"metadata\":{\"total_size\":20},\"weight_map\":{" + entries + "}}";
  }

  private static final String GOOD = "\"a\":\"" + SHARD1 + "\",\"b\":\"" + SHARD1 + "\",\"c\":\"" + SHARD2 + "\"";

  private static ModelFormatException assertBad(Path open, Path file, String... fragments) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(open).close());
    assertEquals(file, e.file());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
    }
    return e;
  }

  @Nested
  class Sharded {
    @Test
    void open_validIndex_exposesEveryTensorAndItsShard() throws IOException {
      index(weightMap(GOOD));
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        assertEquals(List.of("a", "b", "c"), c.names());
        assertEquals(List.of(dir.resolve(SHARD1), dir.resolve(SHARD2)), c.shardFiles());
        assertEquals(dir.resolve(SHARD2), c.shardOf("c"));
        assertEquals(20, c.totalBytes());
        assertEquals(Map.of("total_size", 20L), c.indexMetadata());
        assertTrue(c.contains("b"));
        assertTrue(c.unindexedTensors().isEmpty());
        ByteBuffer b = ByteBuffer.allocate(4);
        c.tensor("b").read(0, b);
        assertEquals(8, b.get(0)); // data byte 8 of shard 1 (RawSafetensors fills byte i with i)
      }
    }

    @Test
    void open_indexFileItself_opensTheCheckpoint() throws IOException {
      Path idx = index(weightMap(GOOD));
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(idx)) {
        assertEquals(3, c.names().size());
      }
    }

    @Test
    void open_bundledNasAusten_matchesItsIndex() throws IOException {
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(Fixtures.bundled("nas-austen-16l"))) {
        assertEquals(2, c.shardFiles().size());
        assertEquals(c.indexMetadata().get("total_size"), c.totalBytes());
        assertTrue(c.shardOf("lm_head.weight").endsWith(SHARD2));
        assertEquals(Map.of("format", "pt"), c.metadata());
        // Attention was removed in layers 8..14: no tensors there (the fixture's defining property).
        assertFalse(c.contains("model.layers.8.self_attn.q_proj.weight"));
        assertTrue(c.contains("model.layers.7.self_attn.q_proj.weight"));
      }
    }

    @Test
    void open_tensorInShardButNotInIndex_isReportedNotExposed() throws IOException {
      index(weightMap("\"a\":\"" + SHARD1 + "\",\"c\":\"" + SHARD2 + "\""));
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        assertEquals(List.of("a", "c"), c.names());
        assertEquals(Map.of(dir.resolve(SHARD1), List.of("b")), c.unindexedTensors());
        assertTrue(c.find("b").isEmpty());
      }
    }
  }

  @Test
  void open_indexWithEmptyWeightMap_hasNoTensors() throws IOException {
    Files.delete(dir.resolve(SHARD1));
    Files.delete(dir.resolve(SHARD2));
    index(weightMap(""));
    try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
      assertTrue(c.names().isEmpty());
      assertTrue(c.shardFiles().isEmpty());
      assertTrue(c.metadata().isEmpty());
      assertEquals(0, c.totalBytes());
    }
  }

  @Nested
  class BadIndex {
    @Test
    void open_indexNotJson_fails() throws IOException {
      Path idx = index("{\"weight_map\": {\"a\": ");
      assertBad(dir, idx, "not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{\"metadata\":{}}", "{\"weight_map\":[\"a\"]}"})
    void open_noWeightMapObject_fails(String json) throws IOException {
      Path idx = index(json);
      assertBad(dir, idx, "weight_map");
    }

    @Test
    void open_weightMapValueNotAString_fails() throws IOException {
      Path idx = index(weightMap("\"a\":1"));
      assertBad(dir, idx, "weight_map['a'] must be a shard file name", "a number 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x.safetensors", "/etc/passwd", "sub/../../x.safetensors", ".", "sub/.."})
    void open_entryOutsideFolder_fails(String shard) throws IOException {
      Path idx = index(weightMap("\"a\":\"" + shard + "\""));
      assertBad(dir, idx, "weight_map['a']", "points outside the checkpoint folder");
    }

    @Test
    void open_missingShard_failsNamingShardAndTensor() throws IOException {
      Path idx = index(weightMap(GOOD + ",\"d\":\"model-00003-of-00003.safetensors\""));
      assertBad(dir, idx, "shard model-00003-of-00003.safetensors", "tensor 'd'", "does not exist");
    }

    @Test
    void open_tensorListedButAbsentFromShard_fails() throws IOException {
      Path idx = index(weightMap(GOOD.replace("\"c\":\"" + SHARD2, "\"c\":\"" + SHARD1)
          + ",\"z\":\"" + SHARD2 + "\""));
      ModelFormatException e = assertBad(dir, idx, "tensor 'c'", "shard " + SHARD1, "has no such tensor",
          "(it is in " + SHARD2 + ")");
      assertTrue(e.getMessage().contains(idx.toString()));
    }

    @Test
    void open_duplicateTensorInIndex_fails() throws IOException {
      Path idx = index(weightMap(GOOD + ",\"a\":\"" + SHARD2 + "\""));
      assertBad(dir, idx, "'a' appears twice");
    }

    @Test
    void open_corruptShard_failsNamingTheShard() throws IOException {
      index(weightMap(GOOD));
      RawSafetensors.write(dir.resolve(SHARD2), "{" + entry("c", "I64", "[2]", 0, 8) + "}", 8);
      assertBad(dir, dir.resolve(SHARD2), "tensor 'c'", "= 16 bytes");
    }
  }

  @Nested
  class Layouts {
    @Test
    void open_folderWithSingleFileAndIndex_prefersSingleFile() throws IOException {
      index(weightMap(GOOD));
      RawSafetensors.write(dir.resolve("model.safetensors"), "{" + entry("only", "U8", "[1]", 0, 1) + "}", 1);
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        assertEquals(List.of("only"), c.names());
        assertTrue(c.indexFile().isEmpty());
        assertEquals(List.of(dir.resolve("model.safetensors")), c.shardFiles());
      }
    }

    @Test
    void open_singleFilePath_opensIt() throws IOException {
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir.resolve(SHARD1))) {
        assertEquals(List.of("a", "b"), c.names());
        assertEquals(12, c.totalBytes());
        assertTrue(c.indexMetadata().isEmpty());
      }
    }

    @Test
    void open_folderWithoutWeights_failsListingWhatIsThere() {
      ModelFormatException e = assertBad(dir, dir, "no model.safetensors or model.safetensors.index.json", SHARD1);
      assertTrue(e.getMessage().contains(dir.toString()));
    }

    @Test
    void open_missingPath_throwsNoSuchFile() {
      assertThrows(NoSuchFileException.class, () -> SafetensorsCheckpoint.open(dir.resolve("nope")));
    }
  }

  @Nested
  class Close {
    @Test
    void close_twice_closesEveryShardAndLaterUseThrows() throws IOException {
      index(weightMap(GOOD));
      SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir);
      List<SafetensorsFile> shards = c.shards();
      Tensor a = c.tensor("a");
      c.close();
      c.close();
      assertTrue(shards.stream().allMatch(SafetensorsFile::isClosed));
      assertThrows(IllegalStateException.class, c::names);
      assertThrows(IllegalStateException.class, () -> c.tensor("a"));
      assertThrows(IllegalStateException.class, () -> c.contains("a"));
      assertThrows(IllegalStateException.class, () -> a.read(0, ByteBuffer.allocate(4)));
      assertEquals(dir, c.path());
    }

    @Test
    void tensor_absent_throwsNamingTensorAndCheckpoint() throws IOException {
      index(weightMap(GOOD));
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.tensor("zz"));
        assertTrue(e.getMessage().contains("'zz'") && e.getMessage().contains(dir.toString()), e.getMessage());
      }
    }
  }
}

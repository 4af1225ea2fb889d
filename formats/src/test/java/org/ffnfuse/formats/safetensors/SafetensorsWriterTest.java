package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  @TempDir Path dir;

  static HeapTensor bytes(DType t, long... dims) {
    Shape s = Shape.of(dims);
    byte[] b = new byte[Math.toIntExact(s.elementCount() * t.byteSize())];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (31 * i + dims.length);
    }
    return HeapTensor.ofBytes(t, s, b);
  }

  static byte[] read(Tensor t) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteSize()));
    t.read(0, b);
    return b.array();
  }

  /** The header JSON of a file, padding included. */
  static String headerOf(Path f) throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(f)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      ByteBuffer h = ByteBuffer.allocate(Math.toIntExact(len.getLong(0)));
      ch.read(h, 8);
      return new String(h.array(), 0, h.position(), StandardCharsets.UTF_8);
    }
  }

  private List<String> listDir() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Nested
  class Format {
    @Test
    void write_oneTensor_headerIsCompactJsonPaddedToMultipleOf8() throws IOException {
      Path f = dir.resolve("x.safetensors");
      SafetensorsWriter w = SafetensorsWriter.builder(f).metadata(Map.of("format", "pt")).build();
      w.add("w", HeapTensor.ofFloats(Shape.of(2), new float[] {1f, -2f}));
      assertEquals(List.of(f), w.write());
      String json = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
      String h = headerOf(f);
      assertEquals(json, h.stripTrailing());
      assertEquals(0, h.length() % 8);
      assertEquals(" ".repeat(h.length() - json.length()), h.substring(json.length()));
      assertEquals(8 + h.length() + 8, Files.size(f));
      try (SafetensorsFile r = SafetensorsFile.open(f)) {
        assertArrayEquals(new float[] {1f, -2f}, r.tensor("w").toFloats());
      }
    }

    @Test
    void write_noMetadataNoTensors_writesPaddedEmptyObject() throws IOException {
      Path f = dir.resolve("empty.safetensors");
      SafetensorsWriter.builder(f).build().write();
      assertEquals("{}      ", headerOf(f));
      try (SafetensorsFile r = SafetensorsFile.open(f)) {
        assertTrue(r.names().isEmpty());
        assertTrue(r.metadata().isEmpty());
      }
    }

    @Test
    void write_namesNeedingEscapes_roundTripAndEscapeLikeSerdeJson() throws IOException {
      List<String> names = List.of("a\"b", "back\\slash", "new\nline", "ctl\u0001", "été.😀", "sl/ash");
      Path f = dir.resolve("esc.safetensors");
      SafetensorsWriter w = SafetensorsWriter.builder(f).build();
      for (String n : names) {
        w.add(n, bytes(DType.U8, 1));
      }
      w.write();
      assertTrue(headerOf(f).startsWith("{\"a\\\"b\":"));
      assertTrue(headerOf(f).contains("\"ctl\\u0001\":") && headerOf(f).contains("\"été.😀\":")
          && headerOf(f).contains("\"sl/ash\":"), headerOf(f));
      try (SafetensorsFile r = SafetensorsFile.open(f)) {
        assertEquals(names, r.names());
      }
    }

    @Test
    void write_everyDtype_readsBackSameBytes() throws IOException {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).build();
      for (DType t : DType.values()) {
        w.add(t.name(), bytes(t, 3, 2));
      }
      w.write();
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        for (DType t : DType.values()) {
          assertEquals(t, c.tensor(t.name()).dtype());
          assertEquals(Shape.of(3, 2), c.tensor(t.name()).shape());
          assertArrayEquals(read(bytes(t, 3, 2)), read(c.tensor(t.name())), t.name());
        }
      }
    }
  }

  @Nested
  class Sharding {
    private SafetensorsWriter sixTensors(long maxShardBytes) {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).maxShardBytes(maxShardBytes)
          .metadata(Map.of("format", "pt")).indexMetadata(Map.of("total_parameters", 77L)).build();
      w.add("z.a", bytes(DType.F32, 6));     // 24 bytes
      w.add("y.b", bytes(DType.F32, 6));     // 24
      w.add("x.c", bytes(DType.BF16, 8));    // 16: shard 1 is now exactly 64
      w.add("big", bytes(DType.I64, 12, 1)); // 96 > 64: a shard of its own
      w.add("e", bytes(DType.U8, 8));
      w.add("f", bytes(DType.I8, 8));
      return w;
    }

    @Test
    void write_maxShardBytes_fillsShardsInOrderAndWritesIndex() throws IOException {
      List<Path> files = sixTensors(64).write();
      List<String> shards = List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
          "model-00003-of-00003.safetensors");
      assertEquals(Stream.concat(shards.stream(), Stream.of("model.safetensors.index.json")).map(dir::resolve)
          .toList(), files);
      // transformers: json.dumps(index, indent=2, sort_keys=True) + "\n"
      String expected = "{\n  \"metadata\": {\n    \"total_parameters\": 77,\n    \"total_size\": 176\n  },\n"
          + "  \"weight_map\": {\n"
          + "    \"big\": \"" + shards.get(1) + "\",\n"
          + "    \"e\": \"" + shards.get(2) + "\",\n"
          + "    \"f\": \"" + shards.get(2) + "\",\n"
          + "    \"x.c\": \"" + shards.get(0) + "\",\n"
          + "    \"y.b\": \"" + shards.get(0) + "\",\n"
          + "    \"z.a\": \"" + shards.get(0) + "\"\n"
          + "  }\n}\n";
      assertEquals(expected, Files.readString(dir.resolve("model.safetensors.index.json")));
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        assertEquals(List.of("z.a", "y.b", "x.c", "big", "e", "f"), c.names());
        assertEquals(176, c.totalBytes());
        assertArrayEquals(read(bytes(DType.I64, 12, 1)), read(c.tensor("big")));
        assertArrayEquals(read(bytes(DType.I8, 8)), read(c.tensor("f")));
        for (SafetensorsFile s : c.shards()) {
          assertEquals(Map.of("format", "pt"), s.metadata());
          assertEquals(0, s.layout().metadataPosition().orElseThrow());
        }
      }
    }

    @Test
    void write_everythingFitsOneShard_writesModelSafetensorsWithoutIndex() throws IOException {
      assertEquals(List.of(dir.resolve("model.safetensors")), sixTensors(1000).write());
      assertEquals(List.of("model.safetensors"), listDir());
    }

    @Test
    void write_earlierSaveInFolder_staleWeightFilesDeletedOthersKept() throws IOException {
      for (String n : List.of("model.safetensors", "model-00001-of-00005.safetensors", "config.json",
          "other.safetensors", "model-extra.safetensors")) {
        Files.writeString(dir.resolve(n), "old");
      }
      sixTensors(64).write();
      assertEquals(List.of("config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
          "model-00003-of-00003.safetensors", "model-extra.safetensors", "model.safetensors.index.json",
          "other.safetensors"), listDir());
    }

    @Test
    void write_shardPrefix_namesFilesAndIndex() throws IOException {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).shardPrefix("adapter").maxShardBytes(1).build();
      w.add("a", bytes(DType.U8, 1)).add("b", bytes(DType.U8, 1));
      w.write();
      assertEquals(List.of("adapter-00001-of-00002.safetensors", "adapter-00002-of-00002.safetensors",
          "adapter.safetensors.index.json"), listDir());
    }

    @Test
    void write_shardedIntoAFileTarget_throws() {
      SafetensorsWriter w = SafetensorsWriter.builder(dir.resolve("one.safetensors")).maxShardBytes(1).build();
      w.add("a", bytes(DType.U8, 1)).add("b", bytes(DType.U8, 1));
      assertThrows(IllegalArgumentException.class, w::write);
    }
  }

  @Nested
  class Misuse {
    @Test
    void add_duplicateName_throws() {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).build().add("a", bytes(DType.U8, 1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.add("a", bytes(DType.U8, 1)));
      assertTrue(e.getMessage().contains("'a'"));
    }

    @Test
    void add_metadataKeyOrLoneSurrogate_throws() {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).build();
      assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", bytes(DType.U8, 1)));
      assertThrows(IllegalArgumentException.class, () -> w.add("bad\ud800", bytes(DType.U8, 1)));
    }

    @Test
    void write_twiceOrAddAfterWrite_throws() throws IOException {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).build();
      w.write();
      assertThrows(IllegalStateException.class, w::write);
      assertThrows(IllegalStateException.class, () -> w.add("a", bytes(DType.U8, 1)));
    }

    @Test
    void write_layoutNamingOtherTensors_throws() {
      var layout = new SafetensorsHeaderLayout(List.of("a", "b"), List.of("b", "a"), 0);
      SafetensorsWriter w = SafetensorsWriter.builder(dir.resolve("l.safetensors")).layout(layout).build();
      w.add("a", bytes(DType.U8, 1));
      assertThrows(IllegalArgumentException.class, w::write);
    }
  }

  @Nested
  class Failures {
    /** A source that yields {@code goodChunks} chunks and then fails. */
    private Tensor failingAfter(int goodChunks, IOException failure) {
      return new Tensor() {
        @Override
        public DType dtype() {
          return DType.U8;
        }

        @Override
        public Shape shape() {
          return Shape.of(4L * CHUNK_BYTES);
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
          if (offset >= (long) goodChunks * CHUNK_BYTES) {
            throw failure;
          }
          dst.position(dst.limit());
        }
      };
    }

    @Test
    void write_sourceFailsMidShard_noOutputAndNoTemporaryFileLeft() throws IOException {
      IOException boom = new IOException("disk on fire");
      SafetensorsWriter w = SafetensorsWriter.builder(dir).maxShardBytes(10).build();
      w.add("ok", bytes(DType.U8, 8));
      w.add("bad", failingAfter(2, boom));
      assertSame(boom, assertThrows(IOException.class, w::write));
      assertEquals(List.of(), listDir());
    }

    @Test
    void write_failureWhenReplacingAFile_keepsTheOldFile() throws IOException {
      Path f = Files.writeString(dir.resolve("model.safetensors"), "previous");
      SafetensorsWriter w = SafetensorsWriter.builder(f).build();
      w.add("bad", failingAfter(1, new IOException("read error")));
      assertThrows(IOException.class, w::write);
      assertEquals("previous", Files.readString(f));
      assertEquals(List.of("model.safetensors"), listDir());
    }

    @Test
    void write_sourceWritingTooFewBytes_throwsAndCleansUp() throws IOException {
      Tensor liar = new Tensor() {
        @Override
        public DType dtype() {
          return DType.F32;
        }

        @Override
        public Shape shape() {
          return Shape.of(4);
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
          dst.position(dst.limit());
        }

        @Override
        public void writeTo(java.nio.channels.WritableByteChannel out) throws IOException {
          out.write(ByteBuffer.allocate(3));
        }
      };
      SafetensorsWriter w = SafetensorsWriter.builder(dir).build().add("liar", liar);
      IllegalStateException e = assertThrows(IllegalStateException.class, w::write);
      assertTrue(e.getMessage().contains("'liar'") && e.getMessage().contains("wrote 3 bytes"), e.getMessage());
      assertEquals(List.of(), listDir());
    }
  }

  @Test
  void copy_shardedCheckpointOverEarlierSingleFileSave_removesTheStaleFile() throws IOException {
    Path src = dir.resolve("src");
    SafetensorsWriter.builder(src).maxShardBytes(4).add("a", bytes(DType.F32, 1)).add("b", bytes(DType.I32, 1))
        .write();
    Path dst = Files.createDirectories(dir.resolve("dst"));
    Files.writeString(dst.resolve("model.safetensors"), "stale");
    Files.writeString(dst.resolve("config.json"), "{}");
    try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(src)) {
      SafetensorsWriter.copy(c, dst);
    }
    try (Stream<Path> s = Files.list(dst)) {
      assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
          "model.safetensors.index.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dst)) {
      assertEquals(List.of("a", "b"), c.names());
    }
  }

  @Test
  void copy_fileWithUnusualLayout_isByteIdentical() throws IOException {
    // __metadata__ in the middle, data order unlike key order, extra padding: all must survive.
    String json = "{" + RawSafetensors.entry("b", "U8", "[3]", 4, 7) + ",\"__metadata__\":{\"z\":\"1\",\"a\":\"2\"},"
        + RawSafetensors.entry("a", "F32", "[1]", 0, 4) + "}";
    byte[] h = (json + " ".repeat(8 * 3 + (8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
    Path src = RawSafetensors.write(dir.resolve("src.safetensors"), h.length, h, RawSafetensors.data(7));
    Path out = dir.resolve("out/copy.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(src)) {
      assertEquals(List.of("a", "b"), f.layout().dataOrder());
      SafetensorsWriter.copy(f, out);
    }
    assertEquals(-1, Files.mismatch(src, out));
    assertFalse(Arrays.equals(Files.readAllBytes(src), new byte[0]));
  }
}

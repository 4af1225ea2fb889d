package org.ffnfuse.formats.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  private Path manifest;

  @BeforeEach
  void writeFolder() throws IOException {
    Random rnd = new Random(7);
    for (String name : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
      byte[] b = new byte[50_000 + rnd.nextInt(1000)];
      rnd.nextBytes(b);
      Files.write(dir.resolve(name), b);
    }
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\"}\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/tokenizer.json"), "{}");
    Files.writeString(dir.resolve(".config.json.tmp-abc"), "left by a killed run");
    Manifest.writeForFolder(dir);
    manifest = dir.resolve(Manifest.FILE_NAME);
  }

  @Nested
  class Write {
    @Test
    void writeForFolder_listsEveryFileButTemporaryOnes_withSizeAndHash() throws IOException {
      List<Manifest.Entry> entries = Manifest.read(manifest);
      assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
          "sub/tokenizer.json"), entries.stream().map(Manifest.Entry::path).toList());
      for (Manifest.Entry e : entries) {
        assertEquals(Files.size(dir.resolve(e.path())), e.size());
        assertEquals(Manifest.sha256(dir.resolve(e.path())), e.sha256());
      }
    }

    @Test
    void sha256_knownValue_matchesStandard() throws IOException {
      Path f = dir.resolve("abc.txt");
      Files.writeString(f, "abc", StandardCharsets.US_ASCII);
      assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Manifest.sha256(f));
    }

    @Test
    void write_fileOutsideFolder_isRejected() {
      assertThrows(IllegalArgumentException.class,
          () -> Manifest.write(dir.resolve("sub/x.manifest.json"), List.of(dir.resolve("config.json"))));
    }

    @Test
    void fileFor_folderAndFile_nameTheManifest() throws IOException {
      assertEquals(dir.resolve(Manifest.FILE_NAME), Manifest.fileFor(dir));
      assertEquals(dir.resolve("model.onnx.manifest.json"), Manifest.fileFor(dir.resolve("model.onnx")));
    }
  }

  @Nested
  class Verify {
    @Test
    void verify_intactFolder_passes() {
      assertDoesNotThrow(() -> Manifest.verify(manifest));
    }

    @Test
    void verify_truncatedFile_namesFileAndBothSizes() throws IOException {
      Path shard = dir.resolve("model-00002-of-00002.safetensors");
      long size = Files.size(shard);
      try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
        ch.truncate(size - 100);
      }
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> Manifest.verify(manifest));
      assertEquals(shard, e.file());
      assertTrue(e.getMessage().contains((size - 100) + " bytes") && e.getMessage().contains("lists " + size)
          && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void verify_swappedShards_saysWhoseContentsItHas() throws IOException {
      Path a = dir.resolve("model-00001-of-00002.safetensors");
      Path b = dir.resolve("model-00002-of-00002.safetensors");
      Path t = dir.resolve("swap");
      Files.move(a, t);
      Files.move(b, a);
      Files.move(t, b);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> Manifest.verify(manifest));
      assertTrue(e.getMessage().contains("model-00001-of-00002.safetensors")
          && e.getMessage().contains("model-00002-of-00002.safetensors") && e.getMessage().contains("swapped"),
          e.getMessage());
    }

    @Test
    void verify_oneByteChanged_reportsHashMismatch() throws IOException {
      Path shard = dir.resolve("model-00001-of-00002.safetensors");
      byte[] b = Files.readAllBytes(shard);
      b[12345] ^= 1;
      Files.write(shard, b);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> Manifest.verify(manifest));
      assertEquals(shard, e.file());
      assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void verify_missingFile_saysIncomplete() throws IOException {
      Files.delete(dir.resolve("config.json"));
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> Manifest.verify(manifest));
      assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void verify_noManifest_isNoSuchFile() {
      assertThrows(NoSuchFileException.class, () -> Manifest.verify(dir.resolve("sub/" + Manifest.FILE_NAME)));
    }
  }

  @Nested
  class HashedWrites {
    @Test
    void writeHashed_slowSequentialWriter_hashesMatchARereadOfTheFiles() throws IOException {
      Random rnd = new Random(3);
      AtomicFiles.Content slow = ch -> {
        for (int i = 0; i < 200; i++) {
          byte[] b = new byte[1 + rnd.nextInt(70_000)];
          rnd.nextBytes(b);
          java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          if (i % 50 == 0) {
            try {
              Thread.sleep(5); // let the hasher catch up and wait for more
            } catch (InterruptedException e) {
              throw new java.io.InterruptedIOException();
            }
          }
        }
      };
      Path a = dir.resolve("out/a.bin");
      Path b = dir.resolve("out/b.bin");
      Path empty = dir.resolve("out/empty.bin");
      java.util.Map<Path, String> hashes = AtomicFiles.writeHashed(List.of(new AtomicFiles.Job(a, slow),
          new AtomicFiles.Job(b, slow), new AtomicFiles.Job(empty, ch -> {})));
      assertEquals(List.of(a, b, empty), List.copyOf(hashes.keySet()));
      for (Path p : hashes.keySet()) {
        assertEquals(Manifest.sha256(p), hashes.get(p), p.toString());
      }
      List<Manifest.Entry> entries = Manifest.write(dir.resolve("out/x.manifest.json"), List.of(a, b, empty),
          hashes);
      assertEquals(hashes.get(b), entries.get(1).sha256());
      assertDoesNotThrow(() -> Manifest.verify(dir.resolve("out/x.manifest.json")));
    }

    @Test
    void writeHashed_failingContent_deletesTemporaryFiles() throws IOException {
      Path out = dir.resolve("fail");
      assertThrows(IOException.class, () -> AtomicFiles.writeHashed(List.of(new AtomicFiles.Job(out.resolve("a"),
          ch -> {
            ch.write(java.nio.ByteBuffer.allocate(1000));
            throw new IOException("source failed");
          }))));
      try (var s = Files.list(out)) {
        assertEquals(0, s.count());
      }
    }
  }

  @Nested
  class OnnxOutputs {
    @Test
    void onnxWriter_withManifest_writesAVerifiableManifestBesideTheModel_andReplacesAnOldOne() throws IOException {
      org.ffnfuse.formats.tensor.Tensor w = org.ffnfuse.formats.tensor.HeapTensor.ofFloats(
          org.ffnfuse.formats.tensor.Shape.of(64, 64), new float[64 * 64]);
      ai.onnx.proto.OnnxMl.ModelProto model = ai.onnx.proto.OnnxMl.ModelProto.newBuilder().setIrVersion(10)
          .setGraph(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("g").addInitializer(
              ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("w").setDataType(1).addDims(64).addDims(64)))
          .build();
      Path out = dir.resolve("onnx/m.onnx");
      Files.createDirectories(out.getParent());
      Files.writeString(Manifest.fileFor(out), "stale");
      org.ffnfuse.formats.onnx.OnnxModelWriter.write(model, java.util.Map.of("w", w), out,
          org.ffnfuse.formats.onnx.OnnxWriteOptions.defaults().withManifest(true));
      Path m = dir.resolve("onnx/m.onnx.manifest.json");
      assertEquals(List.of("m.onnx.data", "m.onnx"), Manifest.read(m).stream().map(Manifest.Entry::path).toList());
      assertDoesNotThrow(() -> Manifest.verify(m));
    }
  }

  @Nested
  class Read {
    private ModelFormatException readBad(String json) throws IOException {
      Files.writeString(manifest, json);
      return assertThrows(ModelFormatException.class, () -> Manifest.read(manifest));
    }

    @Test
    void read_notJson_isTyped() throws IOException {
      assertTrue(readBad("{\"format\":").getMessage().contains("not valid JSON"));
    }

    @Test
    void read_wrongFormat_isTyped() throws IOException {
      assertTrue(readBad("{\"format\":\"x\",\"files\":[]}").getMessage().contains("not an ffnfuse manifest"));
    }

    @Test
    void read_pathLeavingFolder_isRefused() throws IOException {
      String sha = "0".repeat(64);
      ModelFormatException e = readBad("{\"format\":\"ffnfuse-manifest/1\",\"files\":[{\"path\":\"../x\",\"size\":1,"
          + "\"sha256\":\"" + sha + "\"}]}");
      assertTrue(e.getMessage().contains("files[0].path '../x' points outside"), e.getMessage());
    }

    @Test
    void read_badHashOrSizeOrDuplicate_namesTheField() throws IOException {
      String sha = "a".repeat(64);
      assertTrue(readBad("{\"format\":\"ffnfuse-manifest/1\",\"files\":[{\"path\":\"a\",\"size\":1,\"sha256\":\"x\"}]}")
          .getMessage().contains("files[0].sha256"));
      assertTrue(readBad("{\"format\":\"ffnfuse-manifest/1\",\"files\":[{\"path\":\"a\",\"size\":-1,\"sha256\":\""
          + sha + "\"}]}").getMessage().contains("files[0].size"));
      assertTrue(readBad("{\"format\":\"ffnfuse-manifest/1\",\"files\":[{\"path\":\"a\",\"size\":1,\"sha256\":\""
          + sha + "\"},{\"path\":\"a\",\"size\":1,\"sha256\":\"" + sha + "\"}]}").getMessage()
          .contains("already listed"));
    }
  }
}

package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz targets for the safetensors reader: a whole file (header length, header JSON, data section) and a sharded
 * checkpoint's {@code model.safetensors.index.json}. Every input must either open, with every tensor readable, or be
 * refused with a {@link ModelFormatException} that names the file; any other exception is a finding.
 *
 * <p>{@code mvn test} runs these on the seed corpus in {@code SafetensorsFuzzTestInputs/<method>} (regression mode).
 * To fuzz: {@code JAZZER_FUZZ=1 mvn -pl formats test -Dtest='SafetensorsFuzzTest#safetensorsFile'} (one target per
 * run; {@code -Djazzer.max_duration=10m} for a long session).
 */
class SafetensorsFuzzTest {
  @TempDir Path dir;

  @BeforeEach
  void writeShards() throws IOException {
    SafetensorsWriter w1 = SafetensorsWriter.builder(dir.resolve("model-00001-of-00002.safetensors")).build();
    w1.add("a", HeapTensor.ofFloats(Shape.of(2, 2), new float[] {1, 2, 3, 4}));
    w1.write();
    SafetensorsWriter w2 = SafetensorsWriter.builder(dir.resolve("model-00002-of-00002.safetensors"))
        .metadata(Map.of("format", "pt")).build();
    w2.add("b", HeapTensor.ofFloats(DType.BF16, Shape.of(4), new float[] {1, 2, 3, 4}));
    w2.add("c", HeapTensor.ofLongs(Shape.of(2), new long[] {5, 6}));
    w2.write();
  }

  @FuzzTest(maxDuration = "10s")
  void safetensorsFile(byte[] data) throws IOException {
    Path f = dir.resolve("fuzz.safetensors");
    Files.write(f, data);
    try (SafetensorsFile sf = SafetensorsFile.open(f)) {
      sf.metadata();
      sf.layout();
      for (String n : sf.names()) {
        readFully(sf.tensor(n));
      }
    } catch (ModelFormatException e) {
      assertEquals(f, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }

  @FuzzTest(maxDuration = "10s")
  void shardIndex(byte[] data) throws IOException {
    Path index = dir.resolve(SafetensorsCheckpoint.INDEX_FILE);
    Files.write(index, data);
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(index)) {
      ck.indexMetadata();
      ck.totalBytes();
      for (String n : ck.names()) {
        ck.shardOf(n);
        readFully(ck.tensor(n));
      }
    } catch (ModelFormatException e) {
      assertFalse(e.getMessage().isBlank());
    }
  }

  /** Reads every byte, and every value of float tensors (inputs are small files, so tensors are small too). */
  static void readFully(Tensor t) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) t.byteSize());
    t.read(0, b);
    if (t.dtype().convertsToFloat()) {
      assertEquals(t.shape().elementCount(), t.toFloats().length);
    }
  }
}

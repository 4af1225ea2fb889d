package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ffnfuse.formats.io.Manifest;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterHashTest {
  @TempDir Path dir;

  @Test
  void sha256_sharded_matchesEveryWrittenFile() throws IOException {
    Random rnd = new Random(4);
    SafetensorsWriter w = SafetensorsWriter.builder(dir).maxShardBytes(100_000).sha256(true).build();
    for (int i = 0; i < 5; i++) {
      float[] v = new float[20_000];
      for (int j = 0; j < v.length; j++) {
        v[j] = rnd.nextFloat();
      }
      w.add("t" + i, HeapTensor.ofFloats(Shape.of(v.length), v));
    }
    List<Path> files = w.write();
    Map<Path, String> hashes = w.sha256();
    assertEquals(files, List.copyOf(hashes.keySet()));
    assertTrue(files.size() > 2, files.toString());
    for (Path f : files) {
      assertEquals(Manifest.sha256(f), hashes.get(f), f.toString());
    }
  }

  @Test
  void sha256_notRequested_isEmpty_andBeforeWriteIsMisuse() throws IOException {
    SafetensorsWriter w = SafetensorsWriter.builder(dir.resolve("a.safetensors")).build();
    w.add("x", HeapTensor.ofFloats(Shape.of(2), new float[] {1, 2}));
    assertThrows(IllegalStateException.class, w::sha256);
    w.write();
    assertEquals(Map.of(), w.sha256());
  }
}

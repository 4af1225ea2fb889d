package org.ffnfuse.converters.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryBudgetTest {
  @Test
  void acquire_overBudget_waitsForRelease() throws Exception {
    MemoryBudget b = new MemoryBudget(100);
    b.acquire(60);
    CountDownLatch admitted = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        b.acquire(60);
        admitted.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    assertTrue(!admitted.await(200, TimeUnit.MILLISECONDS), "admitted while 60 + 60 > 100");
    b.release(60);
    assertTrue(admitted.await(5, TimeUnit.SECONDS));
    assertEquals(60, b.used());
    t.join();
  }

  @Test
  void acquire_largerThanBudget_runsAloneInsteadOfNever() throws Exception {
    MemoryBudget b = new MemoryBudget(10);
    b.acquire(1000);
    assertEquals(1000, b.used());
    b.release(1000);
    b.acquire(5);
    b.acquire(5);
    assertEquals(10, b.used());
  }

  @ParameterizedTest
  @CsvSource({"8g,8589934592", "512m,536870912", "1.5G,1610612736", "2048k,2097152", "4096,4096", "1gb,1073741824"})
  void parseSize_units(String s, long bytes) {
    assertEquals(bytes, MemoryBudget.parseSize(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "g", "-1g", "0", "8x", "8d", "NaN", "1e3", "eight"})
  void parseSize_bad_throwsNamingIt(String s) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseSize(s));
    assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
  }

  @Test
  void estimate_bf16CheckpointCountsFp32WeightsThreeTimes() throws Exception {
    ZooModel nas = new ZooModel(Fixtures.bundled("nas-austen-16l"), "nas", true);
    long files = java.nio.file.Files.size(nas.path().resolve("model-00001-of-00002.safetensors"))
        + java.nio.file.Files.size(nas.path().resolve("model-00002-of-00002.safetensors"));
    assertEquals(MemoryEstimate.FACTOR * files * 2 + (MemoryEstimate.OVERHEAD_MIB << 20), MemoryEstimate.of(nas));
  }

  @Test
  void estimate_onnxCountsInitializerBytes() throws Exception {
    ZooModel onnx = new ZooModel(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), "x", false);
    long weights = MemoryEstimate.runtimeWeightBytes(onnx);
    long file = java.nio.file.Files.size(onnx.path());
    assertTrue(weights > file / 2 && weights <= file, weights + " vs file " + file);
  }
}

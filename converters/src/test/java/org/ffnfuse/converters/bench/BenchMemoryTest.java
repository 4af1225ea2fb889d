package org.ffnfuse.converters.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;

class BenchMemoryTest {
  private static final Path LLAMA = Fixtures.bundled("random/llama").resolve("model.dynamo.onnx");

  @Test
  void dims_onnxWithConfigBeside_matchesTheConfig() throws Exception {
    // config.json: hidden_size 64, intermediate_size 160, vocab_size 512, num_attention_heads 4.
    BenchMemory.Dims d = BenchMemory.dims(LLAMA);
    assertEquals(64, d.hidden());
    assertEquals(160, d.ffn());
    assertEquals(512, d.vocab());
    assertEquals(4, d.heads());
  }

  @Test
  void bytes_hugeBatchAndSequence_saturatesInsteadOfOverflowing() {
    BenchMemory.Dims d = new BenchMemory.Dims(1_000_000, 4096, 14336, 128_256, 32);
    assertEquals(Long.MAX_VALUE, BenchMemory.bytes(d, 100_000, 1_000_000));
  }

  @Test
  void bytes_smallRun_isWeightsPlusActivationsPlusAttention() {
    BenchMemory.Dims d = new BenchMemory.Dims(1000, 64, 160, 512, 4);
    long expected = 4 * 1000 + 4L * 2 * 8 * (8 * 64 + 3 * 160 + 512) + 4L * 2 * 8 * 8 * (3 * 4 + 1);
    assertEquals(expected, BenchMemory.bytes(d, 2, 8));
  }

  @Test
  void requireFits_estimateAboveAvailable_refusesNamingBoth() {
    BenchConfig c = new BenchConfig(List.of(1, 64), 512, 0, 0, 1, ExecutionProvider.CPU, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BenchMemory.requireFits(LLAMA, c, 1L << 20));
    assertTrue(e.getMessage().startsWith(LLAMA + ": batch 64 × sequence 512 needs an estimated"), e.getMessage());
    assertTrue(e.getMessage().contains("but 0.00 GiB is available"), e.getMessage());
  }
}

package org.ffnfuse.converters.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;

class OrtBenchmarkTest {
  @Test
  void percentile_interpolatesSortedValues() {
    List<Double> v = List.of(1.0, 2.0, 3.0, 4.0, 5.0);
    assertEquals(3.0, OrtBenchmark.percentile(v, 50));
    assertEquals(1.4, OrtBenchmark.percentile(v, 10), 1e-12);
    assertEquals(5.0, OrtBenchmark.percentile(v, 100));
  }

  @Test
  void summarize_tokensPerSecondFollowsMedian() {
    BenchResult r = OrtBenchmark.summarize("m", 4, 100, List.of(10.0, 30.0, 20.0));
    assertEquals(20.0, r.medianMs());
    assertEquals(4 * 100 / 0.020, r.tokensPerSecond(), 1e-6);
  }

  @Test
  void report_speedupIsBaselineMedianOverModelMedian() {
    BenchConfig c = new BenchConfig(List.of(1), 8, 1, 0, 1, ExecutionProvider.CPU, 1);
    BenchReport rep = new BenchReport(c, List.of(
        OrtBenchmark.summarize("orig", 1, 8, List.of(10.0)),
        OrtBenchmark.summarize("fused", 1, 8, List.of(5.0))));
    assertEquals(1.0, rep.speedup(rep.results().get(0)));
    assertEquals(2.0, rep.speedup(rep.results().get(1)));
    assertTrue(rep.toMarkdown().contains("| fused | 1 | 5.00 |"), rep.toMarkdown());
    assertTrue(rep.toJson().contains("\"speedup\" : 2.0"), rep.toJson());
  }

  @Test
  void run_bundledModel_measuresEveryBatchSize() throws OrtException {
    BenchConfig c = new BenchConfig(List.of(1, 2), 16, 1, 1, 3, ExecutionProvider.CPU, 7);
    List<String> ticks = new ArrayList<>();
    List<BenchResult> r = OrtBenchmark.run(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), c,
        ticks::add);
    assertEquals(2, r.size());
    assertEquals(6, ticks.size());
    for (BenchResult x : r) {
      assertEquals(3, x.samplesMs().size());
      assertTrue(x.medianMs() > 0 && x.p10Ms() <= x.medianMs() && x.medianMs() <= x.p90Ms());
    }
  }

  @Test
  void cuda_withoutGpuBuild_explainsWhy() {
    BenchConfig c = new BenchConfig(List.of(1), 4, 1, 0, 1, ExecutionProvider.CUDA, 7);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OrtBenchmark.run(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), c, s -> { }));
    assertTrue(e.getMessage().contains("-Pgpu"), e.getMessage());
  }
}

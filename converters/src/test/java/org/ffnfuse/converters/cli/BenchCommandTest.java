package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ffnfuse bench} on a {@link TinyLlama}: its JSON, and the limits on --batch, --seq and --threads. */
class BenchCommandTest {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void model() throws Exception {
    model = new TinyLlama(16, 1).export(dir.resolve("m.onnx"), OptionalInt.empty());
  }

  @Test
  void bench_twoBatchSizes_jsonHasOneResultEachWithMedianAndTokensPerSecondOfItsSamples() throws Exception {
    CliRun r = bench(model.toString(), "--batch", "1,2", "--seq", "8", "--warmup", "0", "--repeats", "3", "--threads",
        "1", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(8, j.get("config").get("seqLen").asInt());
    JsonNode results = j.get("results");
    assertEquals(2, results.size());
    for (int i = 0; i < 2; i++) {
      JsonNode x = results.get(i);
      assertEquals(i + 1, x.get("batch").asInt());
      List<Double> s = new ArrayList<>();
      x.get("samplesMs").forEach(v -> s.add(v.asDouble()));
      assertEquals(3, s.size());
      s.sort(Double::compare);
      assertEquals(s.get(1), x.get("medianMs").asDouble(), 1e-9);
      assertEquals((i + 1) * 8 / (s.get(1) / 1000), x.get("tokensPerSecond").asDouble(), 1e-6);
      assertEquals(1.0, results.get(0).get("speedup").asDouble(), 1e-12);
    }
  }

  @Test
  void bench_batchOfOneHundredThousand_refusedBeforeRunningNamingTheEstimate() {
    CliRun r = bench(model.toString(), "--batch", "100000", "--seq", "1000000", "--quiet");
    assertEquals(CommandLine.ExitCode.USAGE, r.exit(), r.err());
    assertTrue(r.err().contains(model + ": batch 100000 × sequence 1000000 needs an estimated"), r.err());
    assertTrue(r.err().contains("choose a smaller --batch or --seq"), r.err());
  }

  @Test
  void bench_threadsOneHundredThousand_usageError() {
    CliRun r = bench(model.toString(), "--threads", "100000", "--batch", "1", "--seq", "8");
    assertEquals(CommandLine.ExitCode.USAGE, r.exit(), r.err());
    assertTrue(r.err().contains("--threads must be 0 (automatic) to 4096, got 100000"), r.err());
  }

  @Test
  void verifyAnalyzeHealPlanDropAttention_threadsOneHundredThousand_usageErrorBeforeReadingAnything()
      throws IOException {
    Path missing = dir.resolve("missing");
    // --text must exist (checked while parsing); the models and reports stay missing.
    String text = Files.writeString(dir.resolve("text.txt"), "some text").toString();
    String[][] commands = {
      {"verify", missing.toString(), missing.toString(), "--text", text},
      {"analyze", missing.toString(), "--text", text, "-o", missing.toString()},
      {"heal", missing.toString(), missing.toString(), "--text", text, "--chains", "1-2", "-o",
          missing.toString()},
      {"plan", missing.toString(), "-o", missing.toString()},
      {"drop-attention", missing.toString(), "--blocks", "1", "-o", missing.toString()},
    };
    for (String[] c : commands) {
      List<String> args = new ArrayList<>(List.of(c));
      args.addAll(List.of("--threads", "100000"));
      CliRun r = CliRun.of(args.toArray(String[]::new));
      assertEquals(CommandLine.ExitCode.USAGE, r.exit(), c[0] + ": " + r.err());
      assertTrue(r.err().contains("--threads must be 0 (automatic) to 4096"), c[0] + ": " + r.err());
    }
  }

  private static CliRun bench(String... args) {
    List<String> all = new ArrayList<>(List.of("bench"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

}

package org.ffnfuse.converters.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark results as JSON and as a Markdown table. The first model is the baseline; every other model's median
 * at the same batch size is reported as a speed-up {@code baseline median / model median} (above 1 = faster).
 */
public final class BenchReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final BenchConfig config;
  private final List<BenchResult> results;

  public BenchReport(BenchConfig config, List<BenchResult> results) {
    this.config = config;
    this.results = List.copyOf(results);
  }

  public List<BenchResult> results() {
    return results;
  }

  /** The baseline (first model's) result at {@code batch}. */
  Optional<BenchResult> baseline(int batch) {
    String first = results.isEmpty() ? "" : results.get(0).model();
    return results.stream().filter(r -> r.model().equals(first) && r.batch() == batch).findFirst();
  }

  /** Speed-up of {@code r} over the baseline at the same batch size. */
  public double speedup(BenchResult r) {
    return baseline(r.batch()).map(b -> b.medianMs() / r.medianMs()).orElse(Double.NaN);
  }

  /** JSON: {@code {"config":{…},"results":[{"model":…,"batch":…,"medianMs":…,…,"speedup":…}]}}. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.set("config", JSON.valueToTree(config));
    ArrayNode arr = root.putArray("results");
    for (BenchResult r : results) {
      ObjectNode n = JSON.valueToTree(r);
      n.put("speedup", speedup(r));
      arr.add(n);
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("serializing benchmark results", e);
    }
  }

  /** A Markdown table, one row per model and batch size. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "ONNX Runtime %s, seq %d, %s threads, %d warm-up + %d timed runs%n%n",
        config.provider().name().toLowerCase(Locale.ROOT), config.seqLen(),
        config.threads() == 0 ? "default" : Integer.toString(config.threads()), config.warmup(), config.repeats()));
    sb.append("| model | batch | median ms | p10–p90 ms | tokens/s | speed-up |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    for (BenchResult r : results) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f–%.2f | %.0f | %.2f× |%n", r.model(), r.batch(),
          r.medianMs(), r.p10Ms(), r.p90Ms(), r.tokensPerSecond(), speedup(r)));
    }
    return sb.toString();
  }
}

package org.ffnfuse.converters.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The summary of a batch: one {@link BatchEntry} per model, sorted by name; written as
 * {@value #JSON_FILE} and {@value #MARKDOWN_FILE} in the output folder.
 *
 * @param entries one per model found, sorted by name
 * @param seconds wall time of the batch
 */
public record BatchReport(List<BatchEntry> entries, double seconds) {
  /** The JSON summary's file name. */
  public static final String JSON_FILE = "batch-summary.json";
  /** The Markdown summary's file name. */
  public static final String MARKDOWN_FILE = "batch-summary.md";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public BatchReport {
    entries = List.copyOf(entries);
  }

  /** Models with this status. */
  public long count(JobStatus s) {
    return entries.stream().filter(e -> e.status() == s).count();
  }

  /** Whether every model is done or skipped (none failed, no thresholds exceeded). */
  public boolean allPassed() {
    return count(JobStatus.FAILED) == 0 && count(JobStatus.CHECKS_FAILED) == 0;
  }

  /**
   * JSON: {@code {"models":[{"model":…,"status":"done","perplexityBefore":…,"perplexityAfter":…,"seconds":…,
   * "memoryEstimate":…,"error":null}],"counts":{…},"seconds":…}}.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arr = root.putArray("models");
    for (BatchEntry e : entries) {
      ObjectNode n = arr.addObject();
      n.put("model", e.model());
      n.put("status", e.status().name().toLowerCase(Locale.ROOT));
      put(n, "perplexityBefore", e.perplexityBefore());
      put(n, "perplexityAfter", e.perplexityAfter());
      n.put("seconds", e.seconds());
      n.put("memoryEstimate", e.memoryEstimate());
      if (e.error().isPresent()) {
        n.put("error", e.error().get());
      } else {
        n.putNull("error");
      }
    }
    ObjectNode counts = root.putObject("counts");
    for (JobStatus s : JobStatus.values()) {
      counts.put(s.name().toLowerCase(Locale.ROOT), count(s));
    }
    root.put("seconds", seconds);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("serializing the batch summary", ex);
    }
  }

  private static void put(ObjectNode n, String key, OptionalDouble v) {
    if (v.isPresent()) {
      n.put(key, v.getAsDouble());
    } else {
      n.putNull(key);
    }
  }

  /** A Markdown table (model, status, perplexity before/after, seconds) with the errors below it. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| model | status | perplexity before | perplexity after | change | seconds |\n");
    sb.append("|---|---|---:|---:|---:|---:|\n");
    for (BatchEntry e : entries) {
      String change = e.perplexityBefore().isPresent() && e.perplexityAfter().isPresent()
          ? String.format(Locale.ROOT, "%+.2f%%", 100 * (e.perplexityAfter().getAsDouble()
              / e.perplexityBefore().getAsDouble() - 1)) : "—";
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f |%n", e.model(),
          e.status().name().toLowerCase(Locale.ROOT), fmt(e.perplexityBefore()), fmt(e.perplexityAfter()), change,
          e.seconds()));
    }
    sb.append(String.format(Locale.ROOT, "%n%d models: %d done, %d skipped, %d failed checks, %d failed; %.1f s%n",
        entries.size(), count(JobStatus.DONE), count(JobStatus.SKIPPED), count(JobStatus.CHECKS_FAILED),
        count(JobStatus.FAILED), seconds));
    boolean header = false;
    for (BatchEntry e : entries) {
      if (e.error().isPresent()) {
        if (!header) {
          sb.append("\nProblems:\n\n");
          header = true;
        }
        sb.append("- ").append(e.model()).append(": ").append(e.error().get().replace('\n', ' ')).append('\n');
      }
    }
    return sb.toString();
  }

  private static String fmt(OptionalDouble v) {
    return v.isPresent() ? String.format(Locale.ROOT, "%.3f", v.getAsDouble()) : "—";
  }
}

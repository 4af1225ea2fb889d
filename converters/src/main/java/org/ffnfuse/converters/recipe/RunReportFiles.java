package org.ffnfuse.converters.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.ffnfuse.converters.bench.BenchResult;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.graph.fusion.ChainRange;

/** The text files of a run's report: {@code report.json}, {@code verify.json}, {@code summary.md}. */
public final class RunReportFiles {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunReportFiles() {}

  /** {@code verify.json}: the fields of {@code ffnfuse verify --json}, plus {@code failures} and {@code passed}. */
  public static String verifyJson(VerifyReport r, List<String> failures) {
    ObjectNode n = JSON.valueToTree(r);
    n.put("perplexityIncrease", r.perplexityIncrease());
    failures.forEach(n.putArray("failures")::add);
    n.put("passed", failures.isEmpty());
    return write(n);
  }

  /** {@code report.json}: the {@link RunReport} as JSON (paths as strings, absent parts as {@code null}). */
  public static String json(RunReport r) {
    return write(tree(r));
  }

  /** The JSON tree of {@link #json}. */
  public static ObjectNode tree(RunReport r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", r.model().toString());
    n.put("output", r.output().toString());
    n.put("format", r.format().option());
    n.put("passed", r.passed());
    r.droppedAttention().forEach(n.putArray("droppedAttention")::add);
    ObjectNode kl = n.putObject("attentionKl");
    r.attentionKl().forEach((b, v) -> kl.put(Integer.toString(b), v));
    if (r.plan().isPresent()) {
      ObjectNode p = n.putObject("plan");
      ArrayNode chains = p.putArray("chains");
      for (ChainRange c : r.plan().get().chains()) {
        chains.addObject().put("first", c.first()).put("last", c.last());
      }
      p.put("source", r.planFromAnalysis() ? "analysis" : "recipe");
    } else {
      n.putNull("plan");
    }
    n.put("analyzed", r.analyzed());
    ObjectNode ppl = n.putObject("perplexity");
    if (r.verify().isPresent()) {
      ppl.put("original", r.verify().get().original().perplexity());
      ppl.put("fused", r.verify().get().fused().perplexity());
      n.put("kl", r.verify().get().kl());
      n.put("top1", r.verify().get().top1());
    } else {
      ppl.putNull("original");
      ppl.putNull("fused");
    }
    r.failures().forEach(n.putArray("failures")::add);
    ArrayNode bench = n.putArray("bench");
    for (BenchResult b : r.bench()) {
      bench.addObject().put("model", b.model()).put("batch", b.batch()).put("seq", b.seqLen())
          .put("medianMs", b.medianMs()).put("tokensPerSecond", b.tokensPerSecond());
    }
    ArrayNode steps = n.putArray("steps");
    r.steps().forEach(s -> steps.addObject().put("step", s.step()).put("seconds", s.seconds()));
    n.put("inputBytes", r.inputBytes());
    n.put("outputBytes", r.outputBytes());
    n.put("seconds", r.seconds());
    return n;
  }

  /** {@code summary.md}: what ran, the plan, the verification and benchmark tables. */
  public static String markdown(RunReport r, Recipe recipe) {
    StringBuilder sb = new StringBuilder();
    sb.append("# FFNFuse run: ").append(r.model().getFileName()).append("\n\n");
    recipe.description().ifPresent(d -> sb.append(d).append("\n\n"));
    sb.append("- input: `").append(r.model()).append("` (").append(mib(r.inputBytes())).append(")\n");
    sb.append("- output: `model/` (").append(r.format().option()).append(", ").append(mib(r.outputBytes()))
        .append(")\n");
    sb.append("- status: **").append(r.passed() ? "passed" : "FAILED checks").append("**\n");
    sb.append("- attention removed: ").append(r.droppedAttention().isEmpty() ? "none"
        : "blocks " + RecipeYaml.ranges(new java.util.TreeSet<>(r.droppedAttention()))).append('\n');
    sb.append("- fused: ").append(r.plan().map(p -> "chains " + p + " (" + p.chains().stream()
        .mapToInt(ChainRange::length).sum() + " FFNs → " + p.chains().size() + ", "
        + (r.planFromAnalysis() ? "planned from the analysis" : "named in the recipe") + ")").orElse("nothing"))
        .append('\n');
    if (r.analyzed()) {
      sb.append("- analysis: `analysis/`\n");
    }
    if (r.verify().isPresent()) {
      VerifyReport v = r.verify().get();
      sb.append(String.format(Locale.ROOT, "%n## Verify (%d windows, %d predicted tokens)%n%n", v.windows(),
          v.tokens()));
      sb.append("| | original | fused |\n|---|---:|---:|\n");
      sb.append(String.format(Locale.ROOT, "| perplexity | %.3f | %.3f (%+.2f%%) |%n", v.original().perplexity(),
          v.fused().perplexity(), 100 * v.perplexityIncrease()));
      sb.append(String.format(Locale.ROOT, "| runs on CUDA EP | %s | %s |%n", yes(v.original().cudaCompatible()),
          yes(v.fused().cudaCompatible())));
      sb.append(String.format(Locale.ROOT, "%nKL(original‖fused) %.5f nats/token, top-1 agreement %.2f%%, logit"
          + " error max %.4f mean %.5f%n", v.kl(), 100 * v.top1(), v.maxAbsLogitError(), v.meanAbsLogitError()));
    }
    if (!r.failures().isEmpty()) {
      sb.append("\n## Failed checks\n\n");
      r.failures().forEach(f -> sb.append("- ").append(f).append('\n'));
    }
    if (!r.bench().isEmpty()) {
      sb.append("\n## Bench (ONNX Runtime CPU)\n\n| model | batch | seq | median ms | tokens/s |\n"
          + "|---|---:|---:|---:|---:|\n");
      for (BenchResult b : r.bench()) {
        sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.0f |%n", b.model(), b.batch(), b.seqLen(),
            b.medianMs(), b.tokensPerSecond()));
      }
    }
    sb.append("\n## Steps\n\n| step | seconds |\n|---|---:|\n");
    r.steps().forEach(s -> sb.append(String.format(Locale.ROOT, "| %s | %.2f |%n", s.step(), s.seconds())));
    sb.append(String.format(Locale.ROOT, "| total | %.2f |%n", r.seconds()));
    sb.append("\nEvery file is listed with its SHA-256 in `SHA256SUMS` (`sha256sum -c SHA256SUMS`).\n");
    return sb.toString();
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String write(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("serializing a report tree", e);
    }
  }
}

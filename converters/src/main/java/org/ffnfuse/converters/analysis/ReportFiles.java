package org.ffnfuse.converters.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.JsonFiles;
import org.ffnfuse.graph.analysis.BranchKind;

/**
 * The analysis report folder, written atomically ({@link AtomicFiles#writeFolder}):
 *
 * <pre>
 *   report.json          everything below, for machines (and {@code ffnfuse plan})
 *   block-matrix.csv     M[i][j], rows i (skipped), columns j; empty where undefined
 *   ffn-matrix.csv       the FFN-only matrix
 *   profiles.csv         block, branch, cos(x, x+h), ‖h‖/‖x‖
 *   kl.csv               block, attention KL, block KL, FFN KL (nats per token)
 *   summary.csv          windows, tokens, passes, timings
 *   block-matrix.png, ffn-matrix.png   heatmaps, log10 scale
 *   profiles-cosine.png, profiles-norm-ratio.png, kl.png
 *   plan.json            the default plan ({@code fuse --plan} reads it)
 * </pre>
 */
public final class ReportFiles {
  /** The machine-readable report in a report folder. */
  public static final String REPORT_JSON = "report.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** A report holds a few n×n matrices; even n = 1000 blocks stays far below this. */
  private static final long MAX_REPORT_BYTES = 256 << 20;

  private ReportFiles() {}

  /** Writes the report folder {@code dir} (must not exist, or be empty) with {@code plan} as its plan.json. */
  public static void write(Path dir, AnalysisResult r, FusionPlanner.Plan plan) throws IOException {
    AtomicFiles.writeFolder(dir, tmp -> {
      Files.writeString(tmp.resolve(REPORT_JSON), JSON.writeValueAsString(toJson(r)) + "\n");
      Files.writeString(tmp.resolve("summary.csv"), summaryCsv(r));
      Files.writeString(tmp.resolve("profiles.csv"), profilesCsv(r));
      Files.writeString(tmp.resolve("kl.csv"), klCsv(r));
      if (r.blockMatrix().isPresent()) {
        Files.writeString(tmp.resolve("block-matrix.csv"), matrixCsv(r.blockMatrix().get()));
        ReportCharts.heatmap(r.blockMatrix().get(), "Block dependency M[i][j] (log10 cosine distance)",
            tmp.resolve("block-matrix.png"));
      }
      if (r.ffnMatrix().isPresent()) {
        Files.writeString(tmp.resolve("ffn-matrix.csv"), matrixCsv(r.ffnMatrix().get()));
        ReportCharts.heatmap(r.ffnMatrix().get(), "FFN dependency (log10 cosine distance)",
            tmp.resolve("ffn-matrix.png"));
      }
      ReportCharts.profiles(r.profiles(), tmp.resolve("profiles-cosine.png"), tmp.resolve("profiles-norm-ratio.png"));
      ReportCharts.kl(r.attentionKl(), r.blockKl(), r.ffnKl(), tmp.resolve("kl.png"));
      if (!plan.chains().isEmpty()) {
        PlanFile.write(planJson(plan, r), tmp.resolve("plan.json"));
      }
    });
  }

  /** {@code plan.json}: the chains (with {@code mMax}, {@code mSum}), the rule and the scoring matrix. */
  public static ObjectNode planJson(FusionPlanner.Plan plan, AnalysisResult r) {
    ObjectNode root = PlanFile.toJson(plan.fusionPlan());
    ArrayNode chains = (ArrayNode) root.get("chains");
    for (int i = 0; i < plan.chains().size(); i++) {
      ((ObjectNode) chains.get(i)).put("mMax", plan.chains().get(i).maxDependency())
          .put("mSum", plan.chains().get(i).sumDependency());
    }
    root.put("rule", plan.rule());
    root.put("scoredBy", r.ffnMatrix().isPresent() ? "ffnMatrix" : "blockMatrix");
    root.put("fusedFfns", plan.fusedFfns());
    root.put("model", r.model());
    return root;
  }

  static ObjectNode toJson(AnalysisResult r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", r.model());
    n.put("blocks", r.blocks());
    r.attention().forEach(n.putArray("attention")::add);
    r.ffn().forEach(n.putArray("ffn")::add);
    n.put("windows", r.windows()).put("windowLength", r.windowLength()).put("tokens", r.tokens())
        .put("statisticTokens", r.statisticTokens());
    n.putObject("passes").put("perBatch", r.passes().perBatch()).put("batches", r.passes().batches())
        .put("total", r.passes().total());
    ObjectNode t = n.putObject("timings").put("analysisSeconds", r.analysisSeconds());
    if (!Double.isNaN(r.plainForwardSeconds())) {
      t.put("plainForwardSeconds", r.plainForwardSeconds());
    }
    r.blockMatrix().ifPresent(m -> n.set("blockMatrix", JSON.valueToTree(m.rows())));
    r.ffnMatrix().ifPresent(m -> n.set("ffnMatrix", JSON.valueToTree(m.rows())));
    ArrayNode p = n.putArray("profiles");
    for (BranchProfile b : r.profiles()) {
      p.addObject().put("block", b.block()).put("branch", b.kind().suffix()).put("cosine", b.cosine())
          .put("normRatio", b.normRatio());
    }
    putMap(n.putObject("attentionKl"), r.attentionKl());
    putMap(n.putObject("blockKl"), r.blockKl());
    putMap(n.putObject("ffnKl"), r.ffnKl());
    return n;
  }

  private static void putMap(ObjectNode o, SortedMap<Integer, Double> m) {
    m.forEach((k, v) -> o.put(Integer.toString(k), v));
  }

  /**
   * Reads {@code dir}/report.json back.
   *
   * @throws ModelFormatException naming the file and field if it is not a report this version wrote
   */
  public static AnalysisResult read(Path dir) throws IOException {
    Path file = Files.isDirectory(dir) ? dir.resolve(REPORT_JSON) : dir;
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "no analysis report; run ffnfuse analyze");
    }
    JsonNode n = JsonFiles.read(file, MAX_REPORT_BYTES, "an analysis report");
    try {
      List<Boolean> attn = booleans(file, n, "attention");
      List<Boolean> ffn = booleans(file, n, "ffn");
      if (attn.size() != ffn.size()) {
        throw new ModelFormatException(file, "'attention' has " + attn.size() + " entries, 'ffn' " + ffn.size());
      }
      List<BranchProfile> profiles = new ArrayList<>();
      for (JsonNode p : n.path("profiles")) {
        profiles.add(new BranchProfile(p.get("block").asInt(), p.get("branch").asText().equals("attn")
            ? BranchKind.ATTENTION : BranchKind.FFN, p.get("cosine").asDouble(), p.get("normRatio").asDouble()));
      }
      JsonNode passes = required(file, n, "passes");
      JsonNode timings = required(file, n, "timings");
      return new AnalysisResult(required(file, n, "model").asText(), attn, ffn,
          matrix(file, n, "blockMatrix", attn.size()), matrix(file, n, "ffnMatrix", attn.size()), profiles,
          map(n.path("attentionKl")), map(n.path("blockKl")), map(n.path("ffnKl")),
          new PassCount(passes.path("perBatch").asInt(), passes.path("batches").asInt(), passes.path("total")
              .asLong()), n.path("tokens").asLong(), n.path("statisticTokens").asLong(), n.path("windows").asInt(),
          n.path("windowLength").asInt(), timings.path("analysisSeconds").asDouble(),
          timings.has("plainForwardSeconds") ? timings.get("plainForwardSeconds").asDouble() : Double.NaN);
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "malformed analysis report: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(Path file, JsonNode n, String field) throws ModelFormatException {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || v.isNull()) {
      throw new ModelFormatException(file, "field '" + field + "' is missing (not a report of ffnfuse analyze?)");
    }
    return v;
  }

  private static List<Boolean> booleans(Path file, JsonNode n, String field) throws ModelFormatException {
    JsonNode a = required(file, n, field);
    List<Boolean> out = new ArrayList<>();
    for (JsonNode v : a) {
      if (!v.isBoolean()) {
        throw new ModelFormatException(file, "'" + field + "' holds " + v + ", expected true/false per block");
      }
      out.add(v.asBoolean());
    }
    return out;
  }

  private static Optional<BlockMatrix> matrix(Path file, JsonNode n, String field, int blocks)
      throws ModelFormatException {
    JsonNode m = n.get(field);
    if (m == null) {
      return Optional.empty();
    }
    if (!m.isArray() || m.size() != blocks) {
      throw new ModelFormatException(file, "'" + field + "' must be " + blocks + " rows of " + blocks + " values");
    }
    List<List<Double>> rows = new ArrayList<>();
    for (JsonNode row : m) {
      if (!row.isArray() || row.size() != blocks) {
        throw new ModelFormatException(file, "'" + field + "' must be " + blocks + " rows of " + blocks + " values");
      }
      List<Double> r = new ArrayList<>();
      row.forEach(v -> r.add(v.isNull() ? null : v.asDouble()));
      rows.add(r);
    }
    return Optional.of(BlockMatrix.ofRows(rows));
  }

  private static SortedMap<Integer, Double> map(JsonNode o) {
    SortedMap<Integer, Double> m = new TreeMap<>();
    o.fields().forEachRemaining(e -> m.put(Integer.parseInt(e.getKey()), e.getValue().asDouble()));
    return m;
  }

  static String matrixCsv(BlockMatrix m) {
    StringBuilder sb = new StringBuilder("skipped\\measured");
    for (int j = 0; j < m.size(); j++) {
      sb.append(',').append(j);
    }
    sb.append('\n');
    for (int i = 0; i < m.size(); i++) {
      sb.append(i);
      for (int j = 0; j < m.size(); j++) {
        sb.append(',');
        if (m.defined(i, j)) {
          sb.append(num(m.get(i, j)));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String profilesCsv(AnalysisResult r) {
    StringBuilder sb = new StringBuilder("block,branch,cosine,norm_ratio\n");
    for (BranchProfile p : r.profiles()) {
      sb.append(p.block()).append(',').append(p.kind().suffix()).append(',').append(num(p.cosine())).append(',')
          .append(num(p.normRatio())).append('\n');
    }
    return sb.toString();
  }

  private static String klCsv(AnalysisResult r) {
    StringBuilder sb = new StringBuilder("block,attention_kl,block_kl,ffn_kl\n");
    for (int i = 0; i < r.blocks(); i++) {
      sb.append(i).append(',').append(cell(r.attentionKl(), i)).append(',').append(cell(r.blockKl(), i)).append(',')
          .append(cell(r.ffnKl(), i)).append('\n');
    }
    return sb.toString();
  }

  private static String summaryCsv(AnalysisResult r) {
    return "key,value\nmodel," + r.model().replace(',', ' ') + "\nblocks," + r.blocks() + "\nwindows," + r.windows()
        + "\nwindow_length," + r.windowLength() + "\ntokens," + r.tokens() + "\nstatistic_tokens,"
        + r.statisticTokens() + "\npasses_per_batch," + r.passes().perBatch() + "\nbatches," + r.passes().batches()
        + "\npasses_total," + r.passes().total() + "\nanalysis_seconds," + num(r.analysisSeconds())
        + "\nplain_forward_seconds," + (Double.isNaN(r.plainForwardSeconds()) ? "" : num(r.plainForwardSeconds()))
        + "\n";
  }

  private static String cell(SortedMap<Integer, Double> m, int i) {
    return m.containsKey(i) ? num(m.get(i)) : "";
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

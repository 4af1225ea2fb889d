package org.ffnfuse.converters.recipe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.ffnfuse.converters.eval.OrtThreads;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Reads recipe files (YAML, format in {@code docs/recipe.md}) into validated {@link Recipe} records, and writes a
 * recipe back as canonical YAML (every default spelled out, paths absolute) for the run's report.
 *
 * <p>Every problem is a {@link ModelFormatException} naming the file, the line and the dotted key: unknown keys (with
 * a "did you mean"), wrong types, values out of range, missing or conflicting keys, files that do not exist.
 */
public final class RecipeYaml {
  /** Recipes are small; anything bigger is not a recipe. */
  static final long MAX_BYTES = 1 << 20;

  static final List<String> TOP = List.of("description", "seed", "threads", "calibration", "analyze",
      "drop_attention", "plan", "fuse", "output", "verify", "bench");
  static final List<String> CALIBRATION = List.of("text", "tokens", "window", "windows");
  static final List<String> DROP = List.of("blocks", "auto", "contiguous");
  static final List<String> PLAN = List.of("chains", "auto", "threshold", "fuse", "include_last");
  static final List<String> FUSE = List.of("dtype", "keep_placeholders", "inline");
  static final List<String> OUTPUT = List.of("format", "dtype");
  static final List<String> VERIFY = List.of("text", "window", "windows", "max_ppl_increase", "max_kl", "min_top1",
      "require_cuda");
  static final List<String> BENCH = List.of("batch", "seq", "warmup", "repeats");

  private static final int MAX_INT = Integer.MAX_VALUE;

  private RecipeYaml() {}

  /** Reads and validates {@code file}; relative paths in it are resolved against its folder. */
  public static Recipe read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "recipe file not found");
    }
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new ModelFormatException(file, "recipe file is " + size + " bytes; a recipe is a small YAML file (limit "
          + MAX_BYTES + ")");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new ModelFormatException(file, "recipe is not valid UTF-8", e);
    }
    return parse(text, file, file.toAbsolutePath().getParent());
  }

  /**
   * Parses recipe text.
   *
   * @param file named in error messages
   * @param baseDir folder that relative paths are resolved against
   */
  public static Recipe parse(String yaml, Path file, Path baseDir) throws ModelFormatException {
    YamlSection root = YamlSection.root(file, LocatedYaml.parse(yaml, file));
    root.onlyKeys(TOP);
    Recipe.Builder b = Recipe.builder();
    root.string("description").ifPresent(b::description);
    root.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE).ifPresent(b::seed);
    root.integer("threads", 0, OrtThreads.MAX).ifPresent(n -> b.threads((int) n));
    Optional<Calibration> calibration = calibration(root, baseDir);
    calibration.ifPresent(b::calibration);
    boolean analyze = root.bool("analyze").orElse(false);
    b.analyze(analyze);
    Optional<DropAttentionStep> drop = dropAttention(root);
    drop.ifPresent(b::dropAttention);
    Optional<PlanStep> plan = plan(root);
    plan.ifPresent(b::plan);
    Optional<YamlSection> fuse = root.section("fuse");
    if (fuse.isPresent()) {
      b.fuse(fuse(fuse.get()));
    }
    Optional<YamlSection> output = root.section("output");
    if (output.isPresent()) {
      b.output(output(output.get()));
    }
    Optional<YamlSection> verify = root.section("verify");
    if (verify.isPresent()) {
      b.verify(verify(verify.get(), baseDir, calibration.isPresent()));
    }
    Optional<YamlSection> bench = root.section("bench");
    if (bench.isPresent()) {
      b.bench(bench(bench.get()));
    }
    if (calibration.isEmpty()) {
      if (analyze) {
        throw root.error("analyze", "needs a calibration section (calibration: text: FILE)");
      }
      if (drop.orElse(null) instanceof DropAttentionStep.Auto) {
        throw root.error("drop_attention", "'auto' ranks attention on calibration text: add a calibration section"
            + " (calibration: text: FILE) or name the blocks (blocks: \"8-14\")");
      }
      if (plan.isPresent() && !(plan.get() instanceof PlanStep.Chains)) {
        throw root.error("plan", "'auto', 'threshold' and 'fuse' plan from an analysis of calibration text: add a"
            + " calibration section (calibration: text: FILE) or name the chains (chains: \"8-13\")");
      }
    }
    return b.build();
  }

  private static Optional<Calibration> calibration(YamlSection root, Path base) throws ModelFormatException {
    Optional<YamlSection> s = root.section("calibration");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    YamlSection c = s.get();
    c.onlyKeys(CALIBRATION);
    Path text = c.file("text", base).orElseThrow(() -> c.error("needs 'text': a UTF-8 text file or a .json file of"
        + " token ids {\"ids\":[…]}"));
    OptionalLong tokens = c.integer("tokens", 1, MAX_INT);
    int window = (int) c.integer("window", 2, 1 << 20).orElse(Calibration.DEFAULT_WINDOW);
    int windows = (int) c.integer("windows", 1, MAX_INT).orElse(Calibration.DEFAULT_WINDOWS);
    return Optional.of(new Calibration(text, tokens.isPresent() ? OptionalInt.of((int) tokens.getAsLong())
        : OptionalInt.empty(), window, windows));
  }

  private static Optional<DropAttentionStep> dropAttention(YamlSection root) throws ModelFormatException {
    Optional<YamlSection> s = root.section("drop_attention");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    YamlSection d = s.get();
    d.onlyKeys(DROP);
    if (d.has("blocks") && d.has("auto")) {
      throw d.error("auto", "give 'blocks' or 'auto', not both");
    }
    if (d.has("blocks")) {
      if (d.has("contiguous")) {
        throw d.error("contiguous", "applies to 'auto' only (named blocks are removed as given)");
      }
      String spec = d.ranges("blocks").orElseThrow();
      try {
        return Optional.of(DropAttentionStep.Blocks.parse(spec));
      } catch (IllegalArgumentException e) {
        throw d.error("blocks", e.getMessage());
      }
    }
    if (d.has("auto")) {
      int n = (int) d.integer("auto", 1, 1 << 20).orElseThrow();
      return Optional.of(new DropAttentionStep.Auto(n, d.bool("contiguous").orElse(false)));
    }
    throw d.error("needs 'blocks' (e.g. blocks: \"8-14\") or 'auto' (e.g. auto: 7)");
  }

  private static Optional<PlanStep> plan(YamlSection root) throws ModelFormatException {
    Optional<YamlSection> s = root.section("plan");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    YamlSection p = s.get();
    p.onlyKeys(PLAN);
    List<String> given = PLAN.subList(0, 4).stream().filter(p::has).toList();
    if (given.size() > 1) {
      throw p.error(given.get(1), "give one of 'chains', 'auto', 'threshold' or 'fuse', not "
          + String.join(" and ", given));
    }
    if (given.isEmpty()) {
      throw p.error("needs one of 'chains' (e.g. \"8-13\"), 'auto: true', 'threshold' (e.g. 0.05) or 'fuse' (e.g. 6)");
    }
    if (p.has("chains")) {
      if (p.has("include_last")) {
        throw p.error("include_last", "applies to 'auto', 'threshold' and 'fuse' only (named chains are fused as"
            + " given)");
      }
      FusionPlan plan;
      try {
        plan = FusionPlan.parse(p.ranges("chains").orElseThrow());
      } catch (IllegalArgumentException e) {
        throw p.error("chains", e.getMessage());
      }
      for (int i = 1; i < plan.chains().size(); i++) {
        ChainRange a = plan.chains().get(i - 1);
        ChainRange c = plan.chains().get(i);
        if (a.overlaps(c)) {
          throw p.error("chains", "chains " + a + " and " + c + " overlap");
        }
      }
      return Optional.of(new PlanStep.Chains(plan));
    }
    boolean includeLast = p.bool("include_last").orElse(false);
    if (p.has("auto")) {
      if (!p.bool("auto").orElseThrow()) {
        throw p.error("auto", "is false, which plans nothing; remove the plan section or name the chains");
      }
      return Optional.of(new PlanStep.Auto(includeLast));
    }
    if (p.has("threshold")) {
      return Optional.of(new PlanStep.Threshold(p.number("threshold", 0, Double.MAX_VALUE).orElseThrow(),
          includeLast));
    }
    return Optional.of(new PlanStep.Target((int) p.integer("fuse", 2, 1 << 20).orElseThrow(), includeLast));
  }

  private static FuseOptions fuse(YamlSection f) throws ModelFormatException {
    f.onlyKeys(FUSE);
    Optional<WeightDtype> dtype = dtype(f);
    return new FuseOptions(dtype, f.bool("keep_placeholders").orElse(false), f.bool("inline").orElse(false));
  }

  private static OutputOptions output(YamlSection o) throws ModelFormatException {
    o.onlyKeys(OUTPUT);
    Optional<OutputFormat> format = Optional.empty();
    Optional<String> f = o.string("format");
    if (f.isPresent()) {
      format = Optional.of(OutputFormat.parse(f.get()).orElseThrow(() -> o.error("format", "must be checkpoint or"
          + " onnx, got \"" + f.get() + "\"")));
    }
    return new OutputOptions(format, dtype(o).orElse(WeightDtype.SAME));
  }

  private static Optional<WeightDtype> dtype(YamlSection s) throws ModelFormatException {
    Optional<String> d = s.string("dtype");
    if (d.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(WeightDtype.parse(d.get()).orElseThrow(() -> s.error("dtype", "must be same, fp32, fp16 or"
        + " bf16, got \"" + d.get() + "\"")));
  }

  private static VerifyOptions verify(YamlSection v, Path base, boolean haveCalibration) throws ModelFormatException {
    v.onlyKeys(VERIFY);
    Optional<Path> text = v.file("text", base);
    if (text.isEmpty() && !haveCalibration) {
      throw v.error("needs 'text' (the evaluation text), or a calibration section whose text it then uses");
    }
    return new VerifyOptions(text,
        (int) v.integer("window", 2, 1 << 20).orElse(VerifyOptions.DEFAULT_WINDOW),
        (int) v.integer("windows", 1, MAX_INT).orElse(VerifyOptions.DEFAULT_WINDOWS),
        v.number("max_ppl_increase", 0, Double.MAX_VALUE), v.number("max_kl", 0, Double.MAX_VALUE),
        v.number("min_top1", 0, 1), v.bool("require_cuda").orElse(false));
  }

  private static BenchOptions bench(YamlSection s) throws ModelFormatException {
    s.onlyKeys(BENCH);
    BenchOptions d = BenchOptions.defaults();
    return new BenchOptions(s.positiveInts("batch").orElse(d.batches()),
        (int) s.integer("seq", 1, 1 << 20).orElse(d.seq()), (int) s.integer("warmup", 0, 10_000).orElse(d.warmup()),
        (int) s.integer("repeats", 1, 100_000).orElse(d.repeats()));
  }

  /** {@code r} as canonical YAML: every section that runs, every key spelled out, paths absolute. */
  public static String toYaml(Recipe r) {
    JsonNodeFactory n = JsonNodeFactory.instance;
    ObjectNode root = n.objectNode();
    r.description().ifPresent(d -> root.put("description", d));
    root.put("seed", r.seed());
    root.put("threads", r.threads());
    r.calibration().ifPresent(c -> {
      ObjectNode o = root.putObject("calibration");
      o.put("text", c.text().toAbsolutePath().toString());
      c.tokens().ifPresent(t -> o.put("tokens", t));
      o.put("window", c.window());
      o.put("windows", c.windows());
    });
    root.put("analyze", r.analyze());
    r.dropAttention().ifPresent(d -> {
      ObjectNode o = root.putObject("drop_attention");
      if (d instanceof DropAttentionStep.Blocks blocks) {
        o.put("blocks", ranges(blocks.blocks()));
      } else if (d instanceof DropAttentionStep.Auto auto) {
        o.put("auto", auto.count());
        o.put("contiguous", auto.contiguous());
      }
    });
    r.plan().ifPresent(p -> {
      ObjectNode o = root.putObject("plan");
      if (p instanceof PlanStep.Chains c) {
        o.put("chains", c.plan().toString());
      } else if (p instanceof PlanStep.Auto a) {
        o.put("auto", true);
        o.put("include_last", a.includeLast());
      } else if (p instanceof PlanStep.Threshold t) {
        o.put("threshold", t.threshold());
        o.put("include_last", t.includeLast());
      } else if (p instanceof PlanStep.Target t) {
        o.put("fuse", t.ffns());
        o.put("include_last", t.includeLast());
      }
    });
    ObjectNode fuse = root.putObject("fuse");
    r.fuse().dtype().ifPresent(d -> fuse.put("dtype", d.option()));
    fuse.put("keep_placeholders", r.fuse().keepPlaceholders());
    fuse.put("inline", r.fuse().inline());
    ObjectNode out = root.putObject("output");
    r.output().format().ifPresent(f -> out.put("format", f.option()));
    out.put("dtype", r.output().dtype().option());
    r.verify().ifPresent(v -> {
      ObjectNode o = root.putObject("verify");
      v.text().ifPresent(t -> o.put("text", t.toAbsolutePath().toString()));
      o.put("window", v.window());
      o.put("windows", v.windows());
      v.maxPplIncrease().ifPresent(x -> o.put("max_ppl_increase", x));
      v.maxKl().ifPresent(x -> o.put("max_kl", x));
      v.minTop1().ifPresent(x -> o.put("min_top1", x));
      o.put("require_cuda", v.requireCuda());
    });
    r.bench().ifPresent(b -> {
      ObjectNode o = root.putObject("bench");
      b.batches().forEach(o.putArray("batch")::add);
      o.put("seq", b.seq());
      o.put("warmup", b.warmup());
      o.put("repeats", b.repeats());
    });
    try {
      return YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build().writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("writing a recipe tree as YAML", e);
    }
  }

  /** {@code 8-14} or {@code 3,5,8-10} for a sorted set of block indices. */
  static String ranges(java.util.SortedSet<Integer> blocks) {
    StringBuilder sb = new StringBuilder();
    Integer start = null;
    Integer prev = null;
    for (int b : blocks) {
      if (prev != null && b == prev + 1) {
        prev = b;
        continue;
      }
      if (start != null) {
        sb.append(sb.length() > 0 ? "," : "").append(start.equals(prev) ? "" + start : start + "-" + prev);
      }
      start = b;
      prev = b;
    }
    if (start != null) {
      sb.append(sb.length() > 0 ? "," : "").append(start.equals(prev) ? "" + start : start + "-" + prev);
    }
    return sb.toString();
  }
}

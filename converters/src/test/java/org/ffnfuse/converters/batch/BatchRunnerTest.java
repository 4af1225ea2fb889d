package org.ffnfuse.converters.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeYaml;
import org.ffnfuse.converters.recipe.RunListener;
import org.ffnfuse.converters.recipe.Sha256Sums;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchRunnerTest {
  private static final Path LLAMA = Fixtures.bundled("random/llama").toAbsolutePath();
  private static final Path QWEN2 = Fixtures.bundled("random/qwen2").toAbsolutePath();

  @TempDir Path tmp;
  Path zoo;
  Path out;
  Recipe recipe;

  /** A zoo of two good models (symlinks to bundled ones) and one with a truncated safetensors file. */
  @BeforeEach
  void zoo() throws Exception {
    zoo = Files.createDirectories(tmp.resolve("zoo"));
    out = tmp.resolve("out");
    Files.createSymbolicLink(zoo.resolve("llama"), LLAMA);
    Files.createDirectories(zoo.resolve("family"));
    Files.createSymbolicLink(zoo.resolve("family/qwen2"), QWEN2);
    broken(zoo.resolve("broken"));
    StringBuilder ids = new StringBuilder("{\"ids\":[");
    java.util.Random rnd = new java.util.Random(11);
    for (int i = 0; i < 64; i++) {
      ids.append(i > 0 ? "," : "").append(1 + rnd.nextInt(500));
    }
    Path idFile = Files.writeString(tmp.resolve("ids.json"), ids.append("]}").toString());
    recipe = RecipeYaml.parse("""
        drop_attention: {blocks: "2-3"}
        plan: {chains: "1-3"}
        output: {format: onnx}
        verify: {text: %s, window: 16, windows: 2}
        """.formatted(idFile), tmp.resolve("recipe.yaml"), tmp);
  }

  private static void broken(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.copy(LLAMA.resolve("config.json"), dir.resolve("config.json"));
    byte[] head = Arrays.copyOf(Files.readAllBytes(LLAMA.resolve("model.safetensors")), 4096);
    Files.write(dir.resolve("model.safetensors"), head);
  }

  /** Records which models ran, were skipped, and how many ran at once. */
  static final class Recorder implements BatchListener {
    final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();

    @Override
    public RunListener jobListener(ZooModel model) {
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      return RunListener.NONE;
    }

    @Override
    public void jobSkipped(ZooModel model, BatchEntry entry) {
      skipped.add(model.name());
    }

    @Override
    public void jobFinished(ZooModel model, BatchEntry entry) {
      running.decrementAndGet();
      ran.add(model.name());
    }
  }

  private static Map<String, BatchEntry> byName(BatchReport r) {
    return r.entries().stream().collect(Collectors.toMap(BatchEntry::model, e -> e));
  }

  @Test
  void run_oneBrokenModel_othersFinishAndTheErrorIsRecorded() throws Exception {
    BatchReport r = BatchRunner.run(zoo, recipe, out, new BatchOptions(2, 8L << 30), BatchListener.NONE);

    assertEquals(List.of("broken", "family/qwen2", "llama"), r.entries().stream().map(BatchEntry::model).toList());
    Map<String, BatchEntry> e = byName(r);
    assertEquals(JobStatus.FAILED, e.get("broken").status());
    assertTrue(e.get("broken").error().orElseThrow().contains("model.safetensors"), e.get("broken").error().get());
    for (String ok : List.of("llama", "family/qwen2")) {
      assertEquals(JobStatus.DONE, e.get(ok).status(), ok + ": " + e.get(ok).error());
      assertTrue(e.get(ok).perplexityBefore().getAsDouble() > 1 && e.get(ok).perplexityAfter().getAsDouble() > 1);
      assertEquals(List.of(), Sha256Sums.check(out.resolve(ok)));
      assertTrue(Files.isRegularFile(out.resolve(ok).resolve("model/model.onnx")));
    }
    assertFalse(Files.exists(out.resolve("broken")), "a failed model leaves nothing under the output");
    assertFalse(r.allPassed());
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of(BatchRunner.KEYS_FOLDER, BatchRunner.LOCK_FILE, "batch-summary.json", "batch-summary.md",
          "family", "llama"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    JsonNode json = new ObjectMapper().readTree(out.resolve(BatchReport.JSON_FILE).toFile());
    assertEquals("failed", json.path("models").get(0).path("status").asText());
    assertEquals(2, json.path("counts").path("done").asInt());
    String md = Files.readString(out.resolve(BatchReport.MARKDOWN_FILE));
    assertTrue(md.contains("| llama | done |") && md.contains("- broken: "), md);
  }

  @Test
  void run_again_skipsFinishedAndRetriesFailed() throws Exception {
    BatchReport first = BatchRunner.run(zoo, recipe, out, new BatchOptions(1, 8L << 30), BatchListener.NONE);
    Files.createDirectories(out.resolve(".broken.tmp-0123456789ab/model"));

    Recorder second = new Recorder();
    BatchReport again = BatchRunner.run(zoo, recipe, out, new BatchOptions(1, 8L << 30), second);
    assertEquals(List.of("broken"), second.ran);
    assertEquals(List.of("family/qwen2", "llama"), second.skipped);
    assertEquals(JobStatus.SKIPPED, byName(again).get("llama").status());
    assertEquals(byName(first).get("llama").perplexityAfter(), byName(again).get("llama").perplexityAfter(),
        "a skipped model's row is read back from its report.json");
    assertFalse(Files.exists(out.resolve(".broken.tmp-0123456789ab")), "a killed run's leftovers are removed");

    // Repair the broken model: the next run does it, and only it.
    try (Stream<Path> s = Files.list(zoo.resolve("broken"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.copy(LLAMA.resolve("config.json"), zoo.resolve("broken/config.json"));
    Files.copy(LLAMA.resolve("model.safetensors"), zoo.resolve("broken/model.safetensors"));
    Recorder third = new Recorder();
    BatchReport fixed = BatchRunner.run(zoo, recipe, out, new BatchOptions(1, 8L << 30), third);
    assertEquals(List.of("broken"), third.ran);
    assertTrue(fixed.allPassed(), fixed.toMarkdown());
  }

  @Test
  void run_damagedOutput_isReportedNotRerunOrDeleted() throws Exception {
    BatchRunner.run(zoo, recipe, out, new BatchOptions(1, 8L << 30), BatchListener.NONE);
    Files.writeString(out.resolve("llama/plan.json"), "{}");
    Recorder rec = new Recorder();
    BatchReport r = BatchRunner.run(zoo, recipe, out, new BatchOptions(1, 8L << 30), rec);
    BatchEntry llama = byName(r).get("llama");
    assertEquals(JobStatus.FAILED, llama.status());
    assertTrue(llama.error().orElseThrow().contains("plan.json does not match"), llama.error().get());
    assertFalse(rec.ran.contains("llama"));
    assertEquals("{}", Files.readString(out.resolve("llama/plan.json")));
  }

  @Test
  void run_tinyBudget_runsOneJobAtATime() throws Exception {
    Files.delete(zoo.resolve("broken/model.safetensors"));
    Files.delete(zoo.resolve("broken/config.json"));
    Recorder rec = new Recorder();
    BatchReport r = BatchRunner.run(zoo, recipe, out, new BatchOptions(2, 1), rec);
    assertEquals(1, rec.maxRunning.get(), "every estimate exceeds a 1-byte budget, so each job runs alone");
    assertTrue(r.allPassed(), r.toMarkdown());
    assertEquals(2, r.entries().size());
  }
}

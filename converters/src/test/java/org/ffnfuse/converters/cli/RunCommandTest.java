package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {
  private static final String LLAMA = Fixtures.bundled("random/llama").toString();

  @TempDir Path tmp;
  Path ids;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void ids() throws Exception {
    StringBuilder sb = new StringBuilder("{\"ids\":[");
    for (int i = 0; i < 48; i++) {
      sb.append(i > 0 ? "," : "").append(1 + (i * 37) % 500);
    }
    ids = Files.writeString(tmp.resolve("ids.json"), sb.append("]}").toString());
  }

  private int run(String... args) {
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private Path recipe(String extraVerify) throws Exception {
    return Files.writeString(tmp.resolve("recipe.yaml"), """
        drop_attention: {blocks: "3"}
        plan: {chains: "2-3"}
        output: {format: onnx}
        verify: {text: ids.json, window: 16, windows: 2%s}
        """.formatted(extraVerify));
  }

  @Test
  void run_json_printsTheReportAndExitsZero() throws Exception {
    int code = run("run", LLAMA, "--recipe", recipe("").toString(), "-o", tmp.resolve("out").toString(), "--quiet",
        "--json");
    assertEquals(0, code, err.toString());
    JsonNode r = new ObjectMapper().readTree(out.toString());
    assertTrue(r.path("passed").asBoolean());
    assertEquals(2, r.path("plan").path("chains").get(0).path("first").asInt());
    assertTrue(r.path("perplexity").path("fused").asDouble() > 1);
    assertEquals("", err.toString(), "--quiet: no progress bars");
  }

  @Test
  void run_thresholdExceeded_exitsOneAndSaysWhy() throws Exception {
    int code = run("run", LLAMA, "--recipe", recipe(", min_top1: 1.0, max_kl: 0").toString(), "-o",
        tmp.resolve("out").toString(), "--quiet");
    assertEquals(ErrorHandler.CHECK_FAILED, code);
    assertTrue(out.toString().contains("status: **FAILED checks**"), out.toString());
    assertTrue(err.toString().contains("run: FAILED: KL"), err.toString());
    assertTrue(Files.isRegularFile(tmp.resolve("out/SHA256SUMS")), "the output is written all the same");
  }

  @Test
  void run_badRecipe_exitsWithTheFileLineAndKey() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.yaml"), "plan:\n  chains: 2-3\n  inclde_last: true\n");
    int code = run("run", LLAMA, "--recipe", bad.toString(), "-o", tmp.resolve("out").toString());
    assertEquals(ErrorHandler.BAD_INPUT, code);
    assertTrue(err.toString().contains(bad + ": line 3: unknown key 'plan.inclde_last' (did you mean"
        + " 'include_last'?"), err.toString());
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  @Test
  void run_recipeNotForThisModel_exitsWithUsageError() throws Exception {
    Path r = Files.writeString(tmp.resolve("r.yaml"), "plan: {chains: \"1-3\"}\n");
    assertEquals(CommandLine.ExitCode.USAGE, run("run", LLAMA, "--recipe", r.toString(), "-o",
        tmp.resolve("out").toString()));
    assertTrue(err.toString().contains("plan.chains: chain 1-3: block 2 has attention"), err.toString());
  }

  @Test
  void run_withoutQuiet_stderrNotATerminal_oneLinePerStep() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream bars = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bars, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, run("run", LLAMA, "--recipe", recipe("").toString(), "-o", tmp.resolve("out").toString()));
    } finally {
      System.setErr(saved);
    }
    String s = bars.toString(StandardCharsets.UTF_8);
    assertTrue(s.contains("run: verify: 2/2, "), s);
    assertTrue(s.lines().anyMatch(l -> l.matches("run: fuse: [0-9.]+ s")), s);
    assertFalse(s.contains("\r"), s);
    assertTrue(out.toString().startsWith("# FFNFuse run: llama"), out.toString());
  }
}

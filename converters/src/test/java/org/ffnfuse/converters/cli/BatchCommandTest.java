package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BatchCommandTest {
  @TempDir Path tmp;
  Path zoo;
  Path recipe;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void zoo() throws Exception {
    zoo = Files.createDirectories(tmp.resolve("zoo"));
    Files.createSymbolicLink(zoo.resolve("llama"), Fixtures.bundled("random/llama").toAbsolutePath());
    Files.createDirectories(zoo.resolve("broken"));
    Files.writeString(zoo.resolve("broken/config.json"), "{\"model_type\": \"mamba\"}");
    Files.writeString(zoo.resolve("broken/model.safetensors"), "not a safetensors file");
    recipe = Files.writeString(tmp.resolve("recipe.yaml"), """
        drop_attention: {blocks: "3"}
        plan: {chains: "2-3"}
        output: {format: onnx}
        """);
  }

  private int run(String... args) {
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void batch_oneBroken_exitsOneWithTheTable() {
    int code = run("batch", zoo.toString(), "--recipe", recipe.toString(), "-o", tmp.resolve("out").toString(),
        "--jobs", "2", "--memory-budget", "2g", "--quiet");
    assertEquals(BatchCommand.SOME_FAILED, code, err.toString());
    String table = out.toString();
    assertTrue(table.startsWith("| model | status | perplexity before | perplexity after | change | seconds |"),
        table);
    assertTrue(table.contains("| llama | done | — | — | — |"), table);
    assertTrue(table.contains("- broken: ModelFormatException: ") && table.contains("'mamba' is not supported"),
        table);
  }

  @Test
  void batch_json_isMachineReadable() throws Exception {
    run("batch", zoo.toString(), "--recipe", recipe.toString(), "-o", tmp.resolve("out").toString(), "--quiet",
        "--json");
    JsonNode j = new ObjectMapper().readTree(out.toString());
    assertEquals(1, j.path("counts").path("done").asInt());
    assertEquals(1, j.path("counts").path("failed").asInt());
    assertEquals("broken", j.path("models").get(0).path("model").asText());
  }

  @Test
  void batch_badMemoryBudget_isAUsageError() {
    assertEquals(CommandLine.ExitCode.USAGE, run("batch", zoo.toString(), "--recipe", recipe.toString(), "-o",
        tmp.resolve("out").toString(), "--memory-budget", "lots"));
    assertTrue(err.toString().contains("memory size 'lots' is not a size like 8g"), err.toString());
  }
}

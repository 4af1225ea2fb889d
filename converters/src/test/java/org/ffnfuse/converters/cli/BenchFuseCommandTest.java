package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchFuseCommandTest {
  @TempDir Path dir;

  private int run(StringWriter out, String... args) {
    CommandLine cl = new CommandLine(new BenchFuseCommand()).setExecutionExceptionHandler(new ErrorHandler());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    return cl.execute(args);
  }

  @Test
  void call_tinyModel_reportsFuseBesideCp_andKeepsOnlyTheCheckpoint() throws Exception {
    StringWriter out = new StringWriter();
    Path json = dir.resolve("r.json");
    Path work = dir.resolve("work");
    int code = run(out, "--model", "tiny", "--dir", work.toString(), "--repeat", "1", "--xmx", "256m", "--json",
        json.toString());
    assertEquals(0, code, out.toString());
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    assertEquals("tiny-16L-nas9-15", r.get("label").asText());
    assertTrue(r.get("generatedNow").asBoolean());
    assertTrue(r.get("fuse").get("bytes").asLong() > 5_000_000, r.toString());
    assertTrue(r.get("peakRssBytes").asLong() > 0);
    assertTrue(r.get("ratioToCpSync").asDouble() > 0);
    assertTrue(out.toString().contains("fuse / (cp+sync)"), out.toString());
    try (Stream<Path> s = Files.list(work)) {
      assertEquals(List.of("tiny-16L-nas9-15", "tiny-16L-nas9-15.fuse.log"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    StringWriter again = new StringWriter();
    assertEquals(0, run(again, "--model", "tiny", "--dir", work.toString(), "--repeat", "1", "--xmx", "256m"));
    assertTrue(again.toString().contains("reused"), again.toString());
  }

  @Test
  void call_chainPastTheEnd_isAUsageError() {
    StringWriter out = new StringWriter();
    assertEquals(CommandLine.ExitCode.USAGE, run(out, "--model", "tiny", "--layers", "8", "--chains", "4-9"));
    assertTrue(out.toString().contains("does not fit"), out.toString());
  }
}

package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.formats.safetensors.SafetensorsFile;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchIoCommandTest {
  @TempDir Path dir;

  private int run(StringWriter out, String... args) {
    CommandLine cl = new CommandLine(new BenchIoCommand()).setExecutionExceptionHandler(new ErrorHandler());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    return cl.execute(args);
  }

  @Nested
  class Run {
    @Test
    void call_smallGeneratedFile_reportsEveryMethodAndDeletesTheFile() throws IOException {
      StringWriter out = new StringWriter();
      Path json = dir.resolve("bench.json");
      Path work = Files.createDirectory(dir.resolve("work"));
      int exit = run(out, "--size", "3m", "--tensor-mib", "1", "--repeat", "2", "--dir", work.toString(), "--json",
          json.toString());
      assertEquals(0, exit, out.toString());
      JsonNode r = new ObjectMapper().readTree(json.toFile());
      assertTrue(r.get("bytes").asLong() > 3L << 20); // tensors plus header
      assertEquals(3, r.get("tensors").asInt());
      assertTrue(r.get("freshlyWritten").asBoolean());
      List<String> methods = List.of("cat", "read", "toFloats");
      for (int i = 0; i < 3; i++) {
        JsonNode m = r.get("methods").get(i);
        assertEquals(methods.get(i), m.get("method").asText());
        assertEquals(2, m.get("runs").size());
        assertTrue(m.get("bestGbPerSecond").asDouble() > 0);
      }
      assertEquals(r.get("bytes").asLong(), r.get("methods").get(0).get("bytes").asLong());
      assertEquals(3L << 20, r.get("methods").get(1).get("bytes").asLong());
      assertTrue(out.toString().contains("median GB/s"), out.toString());
      try (var s = Files.list(work)) {
        assertEquals(0, s.count(), "generated file not deleted");
      }
    }

    @Test
    void call_keep_leavesAReadableFileOfRandomBf16() throws IOException {
      StringWriter out = new StringWriter();
      assertEquals(0, run(out, "--size", "1m", "--repeat", "1", "--dir", dir.toString(), "--keep"), out.toString());
      try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("bench-io.safetensors"))) {
        float[] v = f.tensor("layers.0.weight").toFloats();
        assertEquals(1 << 19, v.length);
        for (float x : v) {
          assertTrue(Math.abs(x) >= 0x1p-7f && Math.abs(x) < 2f, () -> "value out of range: " + x);
        }
        assertFalse(v[0] == v[1] && v[1] == v[2], "values should vary");
      }
    }

    @Test
    void call_badSize_isAUsageError() {
      StringWriter out = new StringWriter();
      assertEquals(CommandLine.ExitCode.USAGE, run(out, "--size", "lots"));
      assertTrue(out.toString().contains("--size 'lots'"), out.toString());
    }
  }

  @Test
  void parseSize_suffixes_areBinaryUnits() {
    assertEquals(4L << 30, BenchIoCommand.parseSize("4g"));
    assertEquals(512L << 20, BenchIoCommand.parseSize("512M"));
    assertEquals(3L << 29, BenchIoCommand.parseSize("1.5GiB"));
    assertEquals(1000, BenchIoCommand.parseSize("1000"));
    assertThrows(IllegalArgumentException.class, () -> BenchIoCommand.parseSize("-1g"));
  }

  @Test
  void randomBf16Tensor_readAtAnyOffset_matchesWriteTo() throws IOException {
    Tensor t = new BenchIoCommand.RandomBf16Tensor(Shape.of(5, 3), 42);
    ByteBuffer all = ByteBuffer.allocate(30);
    t.read(0, all);
    ByteBuffer part = ByteBuffer.allocate(11);
    t.read(13, part);
    assertEquals(all.slice(13, 11), part.flip());
  }
}

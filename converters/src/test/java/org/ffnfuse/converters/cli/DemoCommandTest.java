package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  @Test
  void demo_onBundledSample_printsTheBeforeAfterTable() {
    Path home = Fixtures.bundled("nas-austen-16l").getParent().getParent().getParent();
    String old = System.getProperty("ffnfuse.home");
    PrintStream stdout = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setProperty("ffnfuse.home", home.toString());
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = FfnFuseCli.execute("demo", "--windows", "2", "--calibration-tokens", "512");
    } finally {
      System.setOut(stdout);
      if (old == null) {
        System.clearProperty("ffnfuse.home");
      } else {
        System.setProperty("ffnfuse.home", old);
      }
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("forward passes"), out);
    assertTrue(out.contains("plan: fuse 8-13"), "the planner's default on nas-austen-16l: " + out);
    assertTrue(out.contains("| blocks | 16 | 11 |"), out);
    assertTrue(out.contains("| perplexity"), out);
  }
}

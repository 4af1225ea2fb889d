package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.BlockRole;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  private static List<BlockRole> roles(String pattern) {
    List<BlockRole> r = new ArrayList<>();
    for (char c : pattern.toCharArray()) {
      r.add(new BlockRole(c == 'A', c != '-'));
    }
    return r;
  }

  @Test
  void defaultPlan_leavesTheLastFfnOfEachAttentionFreeRunOut() {
    assertEquals("8-13", DemoCommand.defaultPlan(roles("AAAAAAAAFFFFFFFA")).toString());
    assertEquals("1-2,5-7", DemoCommand.defaultPlan(roles("AFFFAFFFFAFFA")).toString());
  }

  @Test
  void defaultPlan_withoutAFusableRun_asksForChains() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DemoCommand.defaultPlan(roles("AAFAFFA")));
    assertTrue(e.getMessage().contains("--chains"), e.getMessage());
  }

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
      code = FfnFuseCli.execute("demo", "--windows", "2");
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
    assertTrue(out.contains("plan: fuse 8-13"), out);
    assertTrue(out.contains("| blocks | 16 | 11 |"), out);
    assertTrue(out.contains("| perplexity"), out);
  }
}

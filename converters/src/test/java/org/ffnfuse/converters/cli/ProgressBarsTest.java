package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.ffnfuse.converters.recipe.RunListener;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
  private final ProgressBars bars = ProgressBars.to(new PrintStream(buf, true, StandardCharsets.UTF_8));

  private String text() {
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void bar_counted_drawsAsciiToTheEnd() {
    try (ProgressBars.Bar b = bars.bar("verify", 4)) {
      b.step();
      b.stepTo(4);
      b.message("window 4");
    }
    assertTrue(text().contains("verify 100% [") && text().contains("4/4") && text().contains("window 4"), text());
    assertFalse(text().contains("█"), "ASCII style: " + text());
  }

  @Test
  void bar_indefinite_showsNoTotal() {
    try (ProgressBars.Bar b = bars.bar("fuse", 0)) {
      b.step();
    }
    assertTrue(text().contains("fuse") && text().contains("/?"), text());
  }

  @Test
  void bar_closeTwice_isHarmless() {
    ProgressBars.Bar b = bars.bar("x", 2);
    b.close();
    b.close();
    b.step();
  }

  @Test
  void listener_oneBarPerStep() {
    RunListener l = bars.listener("run: ");
    l.stepStarted("verify", 3);
    l.stepProgress(3);
    l.stepFinished("verify", 0.1);
    l.stepStarted("bench", 2);
    l.stepFinished("bench", 0.1);
    assertTrue(text().contains("run: verify 100%") && text().contains("run: bench"), text());
  }

  @Test
  void lines_oneLinePerStepWithoutCarriageReturns() {
    ProgressBars lines = ProgressBars.to(new PrintStream(buf, true, StandardCharsets.UTF_8),
        ProgressBars.Style.LINES);
    try (ProgressBars.Bar b = lines.bar("verify", 4)) {
      b.step();
      b.stepTo(4);
      b.message("window 4");
    }
    try (ProgressBars.Bar b = lines.bar("export", 0)) {
      b.step();
    }
    String[] l = text().split("\n");
    assertEquals(2, l.length, text());
    assertTrue(l[0].matches("verify: 4/4, [0-9]+\\.[0-9] s \\(window 4\\)"), l[0]);
    assertTrue(l[1].matches("export: 1, [0-9]+\\.[0-9] s"), l[1]);
    assertFalse(text().contains("\r"), text());
  }

  @Test
  void disabled_printsNothing() {
    ProgressBars off = ProgressBars.disabled();
    assertFalse(off.enabled());
    try (ProgressBars.Bar b = off.bar("x", 3)) {
      b.step();
    }
    assertSame(RunListener.NONE, off.listener("run: "));
    assertEquals("", text());
  }
}

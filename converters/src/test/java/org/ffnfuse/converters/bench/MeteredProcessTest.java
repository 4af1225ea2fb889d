package org.ffnfuse.converters.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeteredProcessTest {
  @TempDir Path dir;

  /** Allocates and touches about 200 MB, then exits with code 3. */
  public static void main(String[] args) {
    byte[][] chunks = new byte[200][];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = new byte[1 << 20];
      java.util.Arrays.fill(chunks[i], (byte) i);
    }
    System.out.println("touched " + chunks.length + " MiB");
    System.exit(3);
  }

  @Test
  void run_childJvm_measuresExitCodeTimeAndPeakRss() throws Exception {
    Path log = dir.resolve("child.log");
    MeteredProcess.Measurement m = MeteredProcess.run(MeteredProcess.javaCommand("512m",
        MeteredProcessTest.class.getName(), List.of()), log);
    assertEquals(3, m.exitCode(), Files.readString(log));
    assertTrue(Files.readString(log).contains("touched 200 MiB"));
    assertTrue(m.peakRssBytes() > 200L << 20 && m.peakRssBytes() < 1L << 30, "peak RSS " + m.peakRssBytes());
    assertTrue(m.peakAnonBytes() > 150L << 20, "anonymous " + m.peakAnonBytes());
    assertTrue(m.cpuSeconds() > 0 && m.cpuSeconds() < 60, "CPU " + m.cpuSeconds());
  }
}

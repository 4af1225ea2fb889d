package org.ffnfuse.samples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs an example's {@code main} and returns what it printed on stdout. */
final class SampleOutput {
  /** An example's entry point. */
  @FunctionalInterface
  interface Main {
    void main(String[] args) throws Exception;
  }

  private SampleOutput() {}

  static String run(Main main, String... args) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      main.main(args);
    } finally {
      System.setOut(saved);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    saved.print(out);
    return out;
  }
}

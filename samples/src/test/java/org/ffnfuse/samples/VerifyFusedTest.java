package org.ffnfuse.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;

class VerifyFusedTest {
  @Test
  void main_defaults_printsBothPerplexities() throws Exception {
    String printed = SampleOutput.run(VerifyFused::main);
    assertTrue(printed.matches("(?s)perplexity \\d+\\.\\d{3} → \\d+\\.\\d{3} \\([+-]\\d+\\.\\d{2}%\\), KL .*"
        + "CUDA EP yes\\s*"), printed);
  }

  @Test
  void main_modelAgainstItself_isExact() throws Exception {
    String nas = Fixtures.bundled("nas-austen-16l").toString();
    String printed = SampleOutput.run(VerifyFused::main, nas, nas, SampleFiles.text("persuasion-excerpt.txt")
        .toString(), "2");
    assertTrue(printed.contains("(+0.00%), KL 0.0000 nats/token, top-1 100.0%"), printed);
  }
}

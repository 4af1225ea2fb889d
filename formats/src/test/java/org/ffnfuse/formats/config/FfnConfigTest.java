package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FfnConfigTest {
  @ParameterizedTest
  @CsvSource({
    // ffn_mult, hidden, expected: int(2·m·h/3) rounded up to a multiple of 256 (worked by hand)
    "4.0, 192, 512", // 512 exactly
    "1.0, 4096, 2816", // 2730.67 → 2730 → 2816
    "3.5, 8192, 19200", // 19114.67 → 19114 → 19200
    "0.5, 192, 256", // 64 → 256
  })
  void nemotronIntermediateSize_examples_roundUpTo256(double mult, int hidden, int expected) {
    assertEquals(expected, FfnConfig.nemotronIntermediateSize(mult, hidden));
  }
}

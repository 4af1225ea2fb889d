package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenWindowsTest {
  private static final long[] STREAM = {10, 11, 12, 13, 14, 15, 16};

  @Test
  void cut_withBos_prefixesEveryWindowAndDropsTheTail() {
    long[][] w = TokenWindows.cut(STREAM, Optional.of(1L), 3, 5);
    assertArrayEquals(new long[][] {{1, 10, 11, 12}, {1, 13, 14, 15}}, w);
  }

  @Test
  void cut_withoutBos_takesTheStreamAsItIs() {
    long[][] w = TokenWindows.cut(STREAM, Optional.empty(), 2, 5);
    assertArrayEquals(new long[][] {{10, 11}, {12, 13}, {14, 15}}, w);
  }

  @Test
  void cut_maxWindows_limitsTheCount() {
    assertArrayEquals(new long[][] {{10, 11, 12}}, TokenWindows.cut(STREAM, Optional.empty(), 3, 1));
  }

  @Test
  void cut_exactlyOneWindow_isAccepted() {
    assertArrayEquals(new long[][] {STREAM}, TokenWindows.cut(STREAM, Optional.empty(), 7, 1));
  }

  @Test
  void cut_tooFewTokensOrBadSizes_throw() {
    assertThrows(IllegalArgumentException.class, () -> TokenWindows.cut(STREAM, Optional.empty(), 8, 1));
    assertThrows(IllegalArgumentException.class, () -> TokenWindows.cut(STREAM, Optional.empty(), 0, 1));
    assertThrows(IllegalArgumentException.class, () -> TokenWindows.cut(STREAM, Optional.empty(), 2, 0));
  }
}

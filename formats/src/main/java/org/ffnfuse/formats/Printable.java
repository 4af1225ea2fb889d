package org.ffnfuse.formats;

/**
 * Makes text from files safe to print on a terminal: tensor and node names, JSON fields and paths can hold escape
 * sequences ({@code ESC [31m}) that would recolour, move the cursor or retitle the user's terminal. Every control
 * character (C0, DEL, C1) and every Unicode bidirectional control is written as a Java escape ({@code \u001b}); all
 * other text, non-ASCII letters included, is left as it is.
 */
public final class Printable {
  private Printable() {}

  /** {@code text} with control characters written as {@code \}{@code uXXXX}. */
  public static String escape(String text) {
    return escape(text, false);
  }

  /** {@code text} of several lines: as {@link #escape}, but line feeds are kept. */
  public static String escapeLines(String text) {
    return escape(text, true);
  }

  private static String escape(String text, boolean keepLines) {
    if (text.codePoints().noneMatch(c -> escaped(c, keepLines))) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(c -> {
      if (escaped(c, keepLines)) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  private static boolean escaped(int c, boolean keepLines) {
    return isControl(c) && !(keepLines && c == '\n');
  }

  /** C0, DEL and C1 controls, and the bidirectional marks, embeddings, overrides and isolates. */
  private static boolean isControl(int c) {
    return Character.getType(c) == Character.CONTROL || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }
}

package org.ffnfuse.formats.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;

/**
 * Strict reading of the small UTF-8 text files models come with (config.json, index and plan files): size-limited, and
 * invalid UTF-8 is a {@link ModelFormatException} giving the byte offset. JSON parsers given raw bytes guess the
 * encoding (UTF-16, UTF-32) and fail with untyped errors on nonsense; given a decoded string they cannot.
 */
public final class TextFiles {
  private TextFiles() {}

  /**
   * Reads {@code file} as UTF-8 (a leading byte order mark is dropped).
   *
   * @param maxBytes larger files are refused: they are not what {@code what} should be
   * @param what what the file should be, for messages ("a config.json")
   * @throws ModelFormatException if the file is larger than {@code maxBytes} or is not valid UTF-8
   */
  public static String readUtf8(Path file, long maxBytes, String what) throws IOException {
    long size = Files.size(file);
    if (size > maxBytes) {
      throw new ModelFormatException(file, String.format("%d bytes is too large for %s (limit %d bytes);"
          + " is this the right file?", size, what, maxBytes));
    }
    return decodeUtf8(file, Files.readAllBytes(file));
  }

  /**
   * Decodes {@code bytes} read from {@code file} as strict UTF-8 (a leading byte order mark is dropped).
   *
   * @throws ModelFormatException naming the offset of the first byte that is not UTF-8
   */
  public static String decodeUtf8(Path file, byte[] bytes) throws ModelFormatException {
    int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
        && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    var r = dec.decode(in, out, true);
    if (r.isUnderflow()) {
      r = dec.flush(out);
    }
    if (r.isError()) {
      int at = in.position();
      throw new ModelFormatException(file, String.format("not valid UTF-8: byte 0x%02x at offset %d; the file"
          + " must be UTF-8 text (JSON)", bytes[at] & 0xff, at));
    }
    return out.flip().toString();
  }
}

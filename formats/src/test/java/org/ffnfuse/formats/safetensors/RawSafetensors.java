package org.ffnfuse.formats.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, including broken ones, for tests. */
final class RawSafetensors {
  private RawSafetensors() {}

  /** A file with this header JSON (padded to 8 bytes) and {@code dataBytes} bytes of data (value = index). */
  static Path write(Path file, String headerJson, int dataBytes) throws IOException {
    byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
    int pad = (8 - h.length % 8) % 8;
    byte[] padded = new byte[h.length + pad];
    System.arraycopy(h, 0, padded, 0, h.length);
    java.util.Arrays.fill(padded, h.length, padded.length, (byte) ' ');
    return write(file, padded.length, padded, data(dataBytes));
  }

  /** A file whose length field says {@code declaredLength}, followed by {@code header} and {@code data} verbatim. */
  static Path write(Path file, long declaredLength, byte[] header, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength).put(header).put(data);
    Files.write(file, b.array());
    return file;
  }

  static byte[] data(int n) {
    byte[] d = new byte[n];
    for (int i = 0; i < n; i++) {
      d[i] = (byte) i;
    }
    return d;
  }

  /** One entry's JSON: {@code "name":{"dtype":..,"shape":..,"data_offsets":[b,e]}}. */
  static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
        + end + "]}";
  }
}

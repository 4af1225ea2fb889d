package org.ffnfuse.formats.safetensors;

import static org.ffnfuse.formats.safetensors.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Untrusted headers: every malformed input is a {@link ModelFormatException} naming file, tensor and the problem. */
class SafetensorsHeaderTest {
  @TempDir Path dir;

  /** Opens {@code file}, expects a ModelFormatException whose message names the file and contains each fragment. */
  private static ModelFormatException assertBad(Path file, String... fragments) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file).close());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains(file.toString()), () -> "message does not name the file: " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
    }
    return e;
  }

  private Path header(String json, int dataBytes) throws IOException {
    return RawSafetensors.write(dir.resolve("m.safetensors"), json, dataBytes);
  }

  @Nested
  class Length {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void open_fileShorterThan8Bytes_fails(int n) throws IOException {
      Path f = Files.write(dir.resolve("short.safetensors"), new byte[n]);
      assertBad(f, n + " bytes", "shorter than the 8-byte header length");
    }

    @Test
    void open_headerLengthOver100MB_fails() throws IOException {
      Path f = RawSafetensors.write(dir.resolve("big.safetensors"), 200_000_000L, "{}      ".getBytes(), new byte[0]);
      assertBad(f, "200000000 bytes", "over the safetensors limit of 100000000");
    }

    @Test
    void open_headerLengthNegativeAsSigned_failsReportingUnsigned() throws IOException {
      Path f = RawSafetensors.write(dir.resolve("neg.safetensors"), -1L, "{}      ".getBytes(), new byte[0]);
      assertBad(f, "18446744073709551615 bytes");
    }

    @Test
    void open_headerLengthPastEndOfFile_fails() throws IOException {
      Path f = RawSafetensors.write(dir.resolve("trunc.safetensors"), 100, "{}      ".getBytes(), new byte[0]);
      assertBad(f, "header length at offset 0 is 100 bytes", "only 8 bytes follow", "truncated");
    }
  }

  @Nested
  class Encoding {
    private Path withBytesInName(byte... bad) throws IOException {
      byte[] start = "{\"layer.0.w".getBytes(StandardCharsets.US_ASCII);
      byte[] end = "\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}     ".getBytes(StandardCharsets.US_ASCII);
      byte[] h = new byte[start.length + bad.length + end.length];
      System.arraycopy(start, 0, h, 0, start.length);
      System.arraycopy(bad, 0, h, start.length, bad.length);
      System.arraycopy(end, 0, h, start.length + bad.length, end.length);
      return RawSafetensors.write(dir.resolve("enc.safetensors"), h.length, h, new byte[0]);
    }

    @Test
    void open_invalidUtf8Byte_failsNamingOffsetAndPrecedingText() throws IOException {
      assertBad(withBytesInName((byte) 0xff), "not valid UTF-8", "0xff", "file offset 19", "layer.0.w");
    }

    @Test
    void open_overlongUtf8_fails() throws IOException {
      assertBad(withBytesInName((byte) 0xc0, (byte) 0x80), "not valid UTF-8", "0xc0");
    }

    @Test
    void open_encodedSurrogate_fails() throws IOException {
      assertBad(withBytesInName((byte) 0xed, (byte) 0xa0, (byte) 0x80), "not valid UTF-8");
    }

    @Test
    void open_validMultibyteUtf8Name_isRead() throws IOException {
      Path f = header("{" + entry("couche.été.😀", "U8", "[2]", 0, 2) + "}", 2);
      try (SafetensorsFile sf = SafetensorsFile.open(f)) {
        assertEquals(List.of("couche.été.😀"), sf.names());
      }
    }
  }

  @Nested
  class Structure {
    @Test
    void open_truncatedJson_failsNamingTensor() throws IOException {
      assertBad(header("{" + entry("a", "U8", "[1]", 0, 1) + ",\"b\":{\"dtype\":\"U8\",", 1),
          "not valid JSON", "tensor 'b'");
    }

    @Test
    void open_garbage_failsAsNonJson() throws IOException {
      assertBad(header("hello, world", 0), "not valid JSON");
    }

    @Test
    void open_blankHeader_fails() throws IOException {
      assertBad(header("        ", 0), "blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2,3]", "\"abc\"", "42", "null"})
    void open_headerNotAnObject_fails(String json) throws IOException {
      assertBad(header(json, 0), "must be a JSON object");
    }

    @Test
    void open_secondJsonValueAfterHeader_fails() throws IOException {
      assertBad(header("{} {}", 0), "unexpected content after the header");
    }

    @Test
    void open_garbageAfterHeader_fails() throws IOException {
      assertBad(header("{}x", 0), "not valid JSON");
    }
  }

  @Nested
  class Entries {
    @Test
    void open_entryNotAnObject_fails() throws IOException {
      assertBad(header("{\"w\":[1,2]}", 0), "tensor 'w'", "entry must be a JSON object", "an array");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void open_entryMissingField_fails(String missing) throws IOException {
      String e = "{" + entry("w", "F32", "[2]", 0, 8) + "}";
      String json = e.replaceAll(",?\"" + missing + "\":(\"[^\"]*\"|\\[[^]]*])", "").replace("{,", "{");
      assertBad(header(json, 8), "tensor 'w'", "has no '" + missing + "'");
    }

    @Test
    void open_dtypeNotAString_fails() throws IOException {
      assertBad(header("{\"w\":{\"dtype\":1,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'w'",
          "dtype must be a string", "a number 1");
    }

    @Test
    void open_shapeNotAnArray_fails() throws IOException {
      assertBad(header("{" + entry("w", "F32", "\"2x2\"", 0, 16) + "}", 16), "tensor 'w'", "shape must be");
    }

    @Test
    void open_threeDataOffsets_fails() throws IOException {
      assertBad(header("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,1,2]}}", 2), "tensor 'w'",
          "data_offsets must be [begin, end]");
    }

    @Test
    void open_dataOffsetsAsStrings_fails() throws IOException {
      assertBad(header("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[\"0\",\"2\"]}}", 2), "tensor 'w'",
          "data_offsets[0] is \"0\"");
    }

    @Test
    void open_unknownDtype_failsListingKnownOnes() throws IOException {
      assertBad(header("{" + entry("w", "F128", "[1]", 0, 16) + "}", 16), "tensor 'w'", "unknown dtype 'F128'",
          "known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, F8_E4M3, F8_E5M2");
    }

    @Test
    void open_negativeDimension_fails() throws IOException {
      assertBad(header("{" + entry("w", "F32", "[2,-2]", 0, 16) + "}", 16), "tensor 'w'", "shape[1] is -2");
    }

    @Test
    void open_fractionalDimension_fails() throws IOException {
      assertBad(header("{" + entry("w", "F32", "[1.5]", 0, 6) + "}", 6), "tensor 'w'", "shape[0] is 1.5");
    }

    @Test
    void open_dimensionBeyondLong_fails() throws IOException {
      assertBad(header("{" + entry("w", "U8", "[100000000000000000000000]", 0, 1) + "}", 1), "tensor 'w'",
          "shape[0] is 100000000000000000000000");
    }

    @Test
    void open_shapeByteSizeOverflows_fails() throws IOException {
      assertBad(header("{" + entry("w", "F32", "[4611686018427387904,4]", 0, 1) + "}", 1), "tensor 'w'",
          "more than 2^63 bytes");
    }

    @Test
    void open_shapeTimesDtypeDiffersFromSpan_fails() throws IOException {
      assertBad(header("{" + entry("w", "F32", "[2,3]", 0, 20) + "}", 20), "tensor 'w'", "= 24 bytes",
          "data_offsets [0, 20] span 20 bytes");
    }

    @Test
    void open_unknownEntryField_isIgnored() throws IOException {
      Path f = header("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2],\"extra\":true}}", 2);
      try (SafetensorsFile sf = SafetensorsFile.open(f)) {
        assertEquals(2, sf.tensor("w").byteSize());
      }
    }
  }

  @Nested
  class Offsets {
    @Test
    void open_beginAfterEnd_fails() throws IOException {
      assertBad(header("{" + entry("w", "U8", "[0]", 4, 2) + "}", 4), "tensor 'w'", "[4, 2] begin after end");
    }

    @Test
    void open_offsetsPastEndOfFile_fails() throws IOException {
      assertBad(header("{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "F32", "[4]", 4, 20) + "}", 8),
          "tensor 'b'", "run past the end of the file", "holds 8 bytes", "truncated");
    }

    @Test
    void open_overlappingTensors_fails() throws IOException {
      assertBad(header("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
          "tensor 'b'", "overlap tensor 'a' at [0, 8]");
    }

    @Test
    void open_gapBetweenTensors_fails() throws IOException {
      assertBad(header("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 12, 16) + "}", 16),
          "tensor 'b'", "leave bytes [8, 12)", "after tensor 'a'");
    }

    @Test
    void open_firstTensorNotAtZero_fails() throws IOException {
      assertBad(header("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "tensor 'a'", "before the first tensor");
    }

    @Test
    void open_trailingBytes_fails() throws IOException {
      assertBad(header("{" + entry("a", "F32", "[1]", 0, 4) + "}", 10), "6 bytes after the last tensor 'a'");
    }

    @Test
    void open_dataButNoTensors_fails() throws IOException {
      assertBad(header("{\"__metadata__\":{\"format\":\"pt\"}}", 3), "lists no tensors");
    }

    @Test
    void open_zeroSizeTensorsSharingAnOffset_areRead() throws IOException {
      Path f = header("{" + entry("a", "F32", "[0,3]", 0, 0) + "," + entry("b", "U8", "[2]", 0, 2) + ","
          + entry("c", "BF16", "[0]", 2, 2) + "}", 2);
      try (SafetensorsFile sf = SafetensorsFile.open(f)) {
        assertEquals(List.of("a", "b", "c"), sf.names());
        assertEquals(0, sf.tensor("a").byteSize());
        assertEquals(List.of("a", "b", "c"), sf.layout().dataOrder());
      }
    }
  }

  @Nested
  class Duplicates {
    @Test
    void open_duplicateTensorName_fails() throws IOException {
      assertBad(header("{" + entry("a", "U8", "[1]", 0, 1) + "," + entry("a", "U8", "[1]", 1, 2) + "}", 2),
          "tensor 'a' appears twice");
    }

    @Test
    void open_duplicateKeyInEntry_fails() throws IOException {
      assertBad(header("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
          "tensor 'w'", "key 'dtype' appears twice");
    }

    @Test
    void open_duplicateMetadata_fails() throws IOException {
      assertBad(header("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "'__metadata__' appears twice");
    }
  }

  @Nested
  class Metadata {
    @Test
    void open_metadataNotAnObject_fails() throws IOException {
      assertBad(header("{\"__metadata__\":[\"pt\"]}", 0), "__metadata__ must be a JSON object");
    }

    @Test
    void open_metadataValueNotAString_fails() throws IOException {
      assertBad(header("{\"__metadata__\":{\"format\":\"pt\",\"step\":3}}", 0), "__metadata__['step'] must be a string",
          "a number 3");
    }

    @Test
    void open_metadataAnywhere_isKeptWithItsPosition() throws IOException {
      Path f = header("{" + entry("a", "U8", "[1]", 0, 1) + ",\"__metadata__\":{\"b\":\"2\",\"a\":\"1\"},"
          + entry("b", "U8", "[1]", 1, 2) + "}", 2);
      try (SafetensorsFile sf = SafetensorsFile.open(f)) {
        assertEquals(List.of("b", "a"), List.copyOf(sf.metadata().keySet()));
        assertEquals(1, sf.layout().metadataPosition().orElseThrow());
        assertEquals(List.of("a", "b"), sf.names());
      }
    }
  }
}

package org.ffnfuse.formats.safetensors;

import static org.ffnfuse.formats.safetensors.SafetensorsHeaderLayout.METADATA_KEY;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.MappedFile;
import org.ffnfuse.formats.tensor.Shape;

/**
 * A parsed and validated safetensors header. Every check the reference implementation makes is made here, each failure
 * a {@link ModelFormatException} naming the file, the tensor, and expected vs actual.
 */
final class SafetensorsHeader {
  /** The reference implementation's limit ({@code MAX_HEADER_SIZE}): 100 MB. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  /** One tensor's header entry; offsets are relative to the data section. */
  record Entry(String name, DType dtype, Shape shape, long begin, long end) {}

  private final Map<String, String> metadata;
  private final List<Entry> entries;
  private final SafetensorsHeaderLayout layout;

  private SafetensorsHeader(Map<String, String> metadata, List<Entry> entries, SafetensorsHeaderLayout layout) {
    this.metadata = metadata;
    this.entries = entries;
    this.layout = layout;
  }

  /** {@code __metadata__}, in header order; empty if absent. */
  Map<String, String> metadata() {
    return metadata;
  }

  /** Tensor entries in header order. */
  List<Entry> entries() {
    return entries;
  }

  SafetensorsHeaderLayout layout() {
    return layout;
  }

  /** Reads and validates the header of {@code file}. */
  static SafetensorsHeader read(MappedFile file) throws IOException {
    var p = new Parse(file);
    return p.run();
  }

  /** The state of one parse, so that every message can name the file. */
  private static final class Parse {
    private final MappedFile mf;
    private final long size;
    private String current = null;
    private String json = "";

    Parse(MappedFile mf) {
      this.mf = mf;
      this.size = mf.size();
    }

    private ModelFormatException bad(String fmt, Object... args) {
      return new ModelFormatException(mf.path(), String.format(fmt, args));
    }

    SafetensorsHeader run() throws IOException {
      if (size < 8) {
        throw bad("file is %d bytes, shorter than the 8-byte header length that starts every safetensors file;"
            + " it is truncated or not a safetensors file", size);
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      mf.read(0, lenBuf);
      long n = lenBuf.getLong(0);
      if (n < 0 || n > MAX_HEADER_BYTES) {
        throw bad("header length at offset 0 is %s bytes, over the safetensors limit of %d bytes (MAX_HEADER_SIZE);"
            + " the file is corrupt or not a safetensors file", Long.toUnsignedString(n), MAX_HEADER_BYTES);
      }
      if (n > size - 8) {
        throw bad("header length at offset 0 is %d bytes, but only %d bytes follow it (file is %d bytes);"
            + " the file is truncated or not a safetensors file", n, size - 8, size);
      }
      byte[] raw = new byte[(int) n];
      mf.read(8, ByteBuffer.wrap(raw));
      json = decodeUtf8(raw);
      long dataSize = size - 8 - n;

      Map<String, String> metadata = ImmutableMap.of();
      List<Entry> entries = new ArrayList<>();
      List<String> keyOrder = new ArrayList<>();
      try (JsonParser p = Json.MAPPER.createParser(json)) {
        JsonToken t = p.nextToken();
        if (t == null) {
          throw bad("header (%d bytes at offset 8) is blank; expected a JSON object"
              + " {\"name\":{\"dtype\":..,\"shape\":[..],\"data_offsets\":[begin,end]},..}", n);
        }
        if (t != JsonToken.START_OBJECT) {
          throw bad("header must be a JSON object mapping tensor names to entries, found %s",
              Json.describe(Json.MAPPER.readTree(p)));
        }
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          current = key;
          p.nextToken();
          JsonNode value = Json.MAPPER.readTree(p);
          keyOrder.add(key);
          if (key.equals(METADATA_KEY)) {
            metadata = parseMetadata(value);
          } else {
            entries.add(parseEntry(key, value, dataSize));
          }
        }
        current = null;
        if (p.nextToken() != null) {
          throw bad("unexpected content after the header's JSON object at %s; only space padding may follow it",
              where(p.currentLocation()));
        }
      } catch (JsonProcessingException e) {
        throw notJson(e);
      }
      SafetensorsHeaderLayout layout = new SafetensorsHeaderLayout(keyOrder, checkTiling(entries, dataSize), n);
      return new SafetensorsHeader(metadata, List.copyOf(entries), layout);
    }

    private String decodeUtf8(byte[] raw) throws ModelFormatException {
      CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      ByteBuffer in = ByteBuffer.wrap(raw);
      var out = java.nio.CharBuffer.allocate(raw.length);
      CoderResult r = dec.decode(in, out, true);
      if (r.isUnderflow()) {
        r = dec.flush(out);
      }
      if (r.isError()) {
        int at = in.position();
        int from = Math.max(0, at - 48);
        String before = new String(raw, from, at - from, StandardCharsets.UTF_8);
        throw bad("header is not valid UTF-8: byte 0x%02x at file offset %d (header byte %d), after \"%s\"; the header"
            + " must be UTF-8 JSON", raw[at] & 0xff, 8L + at, at, before);
      }
      return out.flip().toString();
    }

    private ModelFormatException notJson(JsonProcessingException e) {
      String msg = e.getOriginalMessage();
      JsonParser proc = e.getProcessor() instanceof JsonParser jp ? jp : null;
      if (msg != null && msg.startsWith("Duplicate field") && proc != null) {
        JsonStreamContext ctx = proc.getParsingContext();
        String dup = ctx.getCurrentName();
        boolean topLevel = ctx.getParent() != null && ctx.getParent().inRoot();
        if (topLevel && METADATA_KEY.equals(dup)) {
          return bad("key '%s' appears twice in the header (at %s)", dup, where(e.getLocation()));
        }
        if (topLevel) {
          return bad("tensor '%s' appears twice in the header (duplicate key at %s); names must be unique", dup,
              where(e.getLocation()));
        }
        return bad("tensor '%s': key '%s' appears twice in its entry (at %s)", current, dup, where(e.getLocation()));
      }
      return new ModelFormatException(mf.path(), String.format("header is not valid JSON%s: %s at %s; expected"
          + " {\"name\":{\"dtype\":..,\"shape\":[..],\"data_offsets\":[begin,end]},..}",
          current == null ? "" : " (in or after the entry of tensor '" + current + "')", msg,
          where(e.getLocation())), e);
    }

    /** A parser location as a file offset (the header starts at offset 8). */
    private String where(JsonLocation loc) {
      long ch = loc == null ? -1 : loc.getCharOffset();
      if (ch < 0 || ch > json.length()) {
        return "an unknown position";
      }
      long bytes = json.substring(0, (int) ch).getBytes(StandardCharsets.UTF_8).length;
      return "file offset " + (8 + bytes) + " (header byte " + bytes + ")";
    }

    private Map<String, String> parseMetadata(JsonNode v) throws ModelFormatException {
      if (!v.isObject()) {
        throw bad("%s must be a JSON object of string values, found %s", METADATA_KEY, Json.describe(v));
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (var it = v.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!e.getValue().isTextual()) {
          throw bad("%s['%s'] must be a string, found %s; safetensors metadata maps strings to strings",
              METADATA_KEY, e.getKey(), Json.describe(e.getValue()));
        }
        m.put(e.getKey(), e.getValue().textValue());
      }
      return ImmutableMap.copyOf(m);
    }

    private Entry parseEntry(String name, JsonNode v, long dataSize) throws ModelFormatException {
      if (!v.isObject()) {
        throw bad("tensor '%s': entry must be a JSON object {\"dtype\":..,\"shape\":[..],\"data_offsets\":[begin,end]},"
            + " found %s", name, Json.describe(v));
      }
      JsonNode dt = field(name, v, "dtype");
      if (!dt.isTextual()) {
        throw bad("tensor '%s': dtype must be a string such as \"BF16\", found %s", name, Json.describe(dt));
      }
      DType dtype = DType.fromSafetensorsName(dt.textValue()).orElseThrow(() -> bad(
          "tensor '%s': unknown dtype '%s' (known: %s)", name, dt.textValue(), knownDTypes()));
      long[] dims = longs(name, "shape", field(name, v, "shape"), -1);
      long[] off = longs(name, "data_offsets", field(name, v, "data_offsets"), 2);
      long begin = off[0];
      long end = off[1];
      if (begin > end) {
        throw bad("tensor '%s': data_offsets [%d, %d] begin after end; expected begin <= end", name, begin, end);
      }
      Shape shape = Shape.of(dims);
      long bytes;
      try {
        bytes = Math.multiplyExact(shape.elementCount(), (long) dtype.byteSize());
      } catch (ArithmeticException e) {
        throw bad("tensor '%s': shape %s of %s has more than 2^63 bytes", name, shape, dtype);
      }
      if (bytes != end - begin) {
        throw bad("tensor '%s': shape %s × %s (%d bytes each) = %d bytes, but data_offsets [%d, %d] span %d bytes",
            name, shape, dtype, dtype.byteSize(), bytes, begin, end, end - begin);
      }
      if (end > dataSize) {
        throw bad("tensor '%s': data_offsets [%d, %d] run past the end of the file: the data section holds %d bytes"
            + " (file offsets %d..%d), the tensor would end at file offset %d; the file is truncated", name, begin, end,
            dataSize, size - dataSize, size, size - dataSize + end);
      }
      return new Entry(name, dtype, shape, begin, end);
    }

    private JsonNode field(String name, JsonNode entry, String key) throws ModelFormatException {
      JsonNode f = entry.get(key);
      if (f == null) {
        throw bad("tensor '%s': entry has no '%s' (it needs dtype, shape and data_offsets; found keys %s)", name, key,
            Json.fieldNames(entry));
      }
      return f;
    }

    private long[] longs(String name, String key, JsonNode a, int expectedLength) throws ModelFormatException {
      String what = expectedLength == 2 ? "[begin, end]" : "an array of non-negative integers";
      if (!a.isArray() || (expectedLength >= 0 && a.size() != expectedLength)) {
        throw bad("tensor '%s': %s must be %s, found %s", name, key, what, a);
      }
      long[] out = new long[a.size()];
      for (int i = 0; i < out.length; i++) {
        JsonNode x = a.get(i);
        if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
          throw bad("tensor '%s': %s[%d] is %s, expected a non-negative integer (%s = %s)", name, key, i, x, key, a);
        }
        out[i] = x.longValue();
      }
      return out;
    }

    /** Checks that the tensors tile {@code [0, dataSize)} exactly; returns the names in data order. */
    private List<String> checkTiling(List<Entry> entries, long dataSize) throws ModelFormatException {
      List<Entry> sorted = new ArrayList<>(entries);
      sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
      long at = 0;
      Entry prev = null;
      for (Entry e : sorted) {
        if (e.begin() < at) {
          throw bad("tensor '%s': data_offsets [%d, %d] overlap tensor '%s' at [%d, %d]; each byte of the data section"
              + " belongs to one tensor", e.name(), e.begin(), e.end(), prev.name(), prev.begin(), prev.end());
        }
        if (e.begin() > at) {
          throw bad("tensor '%s': data_offsets [%d, %d] leave bytes [%d, %d) of the data section unused (%s);"
              + " tensors must be contiguous", e.name(), e.begin(), e.end(), at, e.begin(),
              prev == null ? "before the first tensor" : "after tensor '" + prev.name() + "'");
        }
        at = e.end();
        prev = e;
      }
      if (at != dataSize && prev == null) {
        throw bad("the data section holds %d bytes but the header lists no tensors; the file has trailing data or its"
            + " header lost its entries", dataSize);
      }
      if (at != dataSize) {
        throw bad("%d bytes after the last tensor%s: the data section is %d bytes but tensors cover [0, %d);"
            + " the file has trailing data or a tensor is missing from the header", dataSize - at,
            " '" + prev.name() + "'", dataSize, at);
      }
      return sorted.stream().map(Entry::name).toList();
    }
  }

  static String knownDTypes() {
    return Arrays.stream(DType.values()).map(DType::safetensorsName).collect(Collectors.joining(", "));
  }
}

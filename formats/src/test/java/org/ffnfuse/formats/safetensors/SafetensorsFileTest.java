package org.ffnfuse.formats.safetensors;

import static org.ffnfuse.formats.safetensors.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsFileTest {
  @TempDir Path dir;

  @Nested
  class BundledFixtures {
    @Test
    void open_stories260k_keepsHeaderOrderAndTrailingMetadata() throws IOException {
      try (SafetensorsFile f = SafetensorsFile.open(Fixtures.bundled("stories260k").resolve("model.safetensors"))) {
        assertEquals("model.embed_tokens.weight", f.names().get(0));
        assertEquals("model.norm.weight", f.names().get(f.names().size() - 1));
        assertEquals(Map.of("format", "pt"), f.metadata());
        // This file (not written by the safetensors library) has __metadata__ last; the layout must say so.
        assertEquals(f.names().size(), f.layout().metadataPosition().orElseThrow());
        assertEquals(f.names(), f.layout().dataOrder());
        assertEquals(Shape.of(512, 64), f.tensor("model.embed_tokens.weight").shape());
      }
    }

    @Test
    void toFloats_stories260kNorm_matchesValuesDecodedByNumpy() throws IOException {
      try (SafetensorsFile f = SafetensorsFile.open(Fixtures.bundled("stories260k").resolve("model.safetensors"))) {
        float[] v = f.tensor("model.norm.weight").toFloats();
        assertEquals(64, v.length);
        // Reference: numpy.frombuffer(..., '<f4') on the same bytes.
        assertArrayEquals(new float[] {2.4583089351654053f, 1.3673226833343506f, 1.7504382133483887f,
            1.1078318357467651f}, java.util.Arrays.copyOf(v, 4));
        assertEquals(115.95276230573654, sum(v), 1e-9);
      }
    }

    @Test
    void toFloats_bf16NasAusten_convertsEveryValueExactly() throws IOException {
      Path nas = Fixtures.bundled("nas-austen-16l");
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(nas)) {
        // Reference: numpy, (uint16 << 16).view(float32) on the same bytes.
        float[] norm = c.tensor("model.norm.weight").toFloats();
        assertArrayEquals(new float[] {1.5703125f, 1.5234375f, 1.5234375f, 1.5234375f, 1.5625f, 1.640625f},
            java.util.Arrays.copyOf(norm, 6));
        assertEquals(293.71875, sum(norm), 0.0);
        assertEquals(25.506927881389856, sum(c.tensor("model.layers.0.mlp.down_proj.weight").toFloats()), 1e-9);
        long checked = 0;
        for (String n : c.names()) {
          Tensor t = c.tensor(n);
          assertEquals(DType.BF16, t.dtype(), n);
          float[] f = t.toFloats();
          ByteBuffer raw = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
          t.read(0, raw);
          for (int i = 0; i < f.length; i++) {
            int expected = (raw.getShort(2 * i) & 0xffff) << 16;
            if (Float.floatToRawIntBits(f[i]) != expected) {
              throw new AssertionError(n + "[" + i + "]: " + f[i] + " is not bf16 bits " + Integer.toHexString(expected));
            }
          }
          checked += f.length;
        }
        assertEquals(c.totalBytes() / 2, checked);
      }
    }

    @Test
    void tensor_absent_throwsNamingTensorAndFile() throws IOException {
      Path p = Fixtures.bundled("random/llama").resolve("model.safetensors");
      try (SafetensorsFile f = SafetensorsFile.open(p)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.tensor("no.such.weight"));
        assertTrue(e.getMessage().contains("no.such.weight") && e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(f.find("no.such.weight").isEmpty());
        assertFalse(f.contains("no.such.weight"));
        assertTrue(f.find("lm_head.weight").isPresent());
      }
    }
  }

  @Nested
  class Dtypes {
    private SafetensorsFile oneTensor(String dtype, int elements, byte[] data) throws IOException {
      String json = "{" + entry("t", dtype, "[" + elements + "]", 0, data.length) + "}";
      byte[] h = json.getBytes(StandardCharsets.UTF_8);
      byte[] padded = java.util.Arrays.copyOf(h, h.length + (8 - h.length % 8) % 8);
      java.util.Arrays.fill(padded, h.length, padded.length, (byte) ' ');
      return SafetensorsFile.open(RawSafetensors.write(dir.resolve(dtype + ".safetensors"), padded.length, padded,
          data));
    }

    private static byte[] shorts(int... bits) {
      ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int s : bits) {
        b.putShort((short) s);
      }
      return b.array();
    }

    @Test
    void toFloats_f16_decodesNormalsSubnormalsAndSpecials() throws IOException {
      try (SafetensorsFile f = oneTensor("F16", 7, shorts(0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00))) {
        float[] v = f.tensor("t").toFloats();
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, -0f, Float.POSITIVE_INFINITY, Float.NaN}, v);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[4]));
      }
    }

    @Test
    void toFloats_bf16_isTheUpperHalfOfFloat() throws IOException {
      try (SafetensorsFile f = oneTensor("BF16", 4, shorts(0x3f80, 0xc049, 0x0001, 0xff80))) {
        assertArrayEquals(new float[] {1f, -3.140625f, Float.intBitsToFloat(0x00010000), Float.NEGATIVE_INFINITY},
            f.tensor("t").toFloats());
      }
    }

    @Test
    void toFloats_f64_roundsToFloat() throws IOException {
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-1e300);
      try (SafetensorsFile f = oneTensor("F64", 2, b.array())) {
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, f.tensor("t").toFloats());
      }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"})
    void read_nonFloatDtype_carriesBytesThroughUntouched(DType t) throws IOException {
      byte[] data = RawSafetensors.data(3 * t.byteSize());
      try (SafetensorsFile f = oneTensor(t.safetensorsName(), 3, data)) {
        Tensor x = f.tensor("t");
        assertEquals(t, x.dtype());
        ByteBuffer got = ByteBuffer.allocate(data.length);
        x.read(0, got);
        assertArrayEquals(data, got.array());
        assertThrows(IllegalArgumentException.class, x::toFloats);
      }
    }
  }

  @Nested
  class Close {
    @Test
    void close_twice_isIdempotentAndLaterUseThrows() throws IOException {
      SafetensorsFile f = SafetensorsFile.open(Fixtures.bundled("random/gpt2").resolve("model.safetensors"));
      Tensor t = f.tensor(f.names().get(0));
      f.close();
      f.close();
      assertTrue(f.isClosed());
      assertThrows(IllegalStateException.class, f::names);
      assertThrows(IllegalStateException.class, () -> f.tensor("x"));
      assertThrows(IllegalStateException.class, f::metadata);
      assertThrows(IllegalStateException.class, () -> t.read(0, ByteBuffer.allocate(4)));
    }
  }

  private static double sum(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }
}

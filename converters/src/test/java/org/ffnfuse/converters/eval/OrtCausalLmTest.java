package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.Fixtures.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OrtCausalLm on the bundled stories260k against the PyTorch logits in its {@code reference.json}. */
class OrtCausalLmTest {
  private static final Path STORIES = Fixtures.bundled("stories260k");

  static Path export(Path tmp, ExportOptions options) throws Exception {
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(STORIES, onnx, options);
    return onnx;
  }

  @Test
  void logits_referenceIds_lastPositionMatchesPyTorch(@TempDir Path tmp) throws Exception {
    Reference ref = Fixtures.reference(STORIES);
    long[] ids = ref.inputIds();
    try (OrtCausalLm lm = OrtCausalLm.open(export(tmp, ExportOptions.defaults()), 1)) {
      assertFalse(lm.hasKvCache());
      float[][][] l = lm.logits(new long[][] {ids});
      assertEquals(ids.length, l[0].length);
      assertArrayEquals(ref.lastLogits(), l[0][ids.length - 1], 1e-4f);
    }
  }

  @Test
  void step_kvCacheTokenByToken_equalsTheFullPass(@TempDir Path tmp) throws Exception {
    Reference ref = Fixtures.reference(STORIES);
    long[] ids = ref.inputIds();
    ExportOptions o = ExportOptions.defaults().withKvCache(true).withPositionIds(true);
    try (OrtCausalLm lm = OrtCausalLm.open(export(tmp, o), 1)) {
      assertTrue(lm.hasKvCache());
      OrtCausalLm.KvCache cache = lm.newCache(1);
      int prefix = ids.length - 3;
      float[][][] first = lm.step(new long[][] {Arrays.copyOf(ids, prefix)}, cache);
      assertEquals(prefix, first[0].length);
      assertEquals(prefix, cache.length());
      float[][][] last = null;
      for (int i = prefix; i < ids.length; i++) {
        last = lm.step(new long[][] {{ids[i]}}, cache);
        assertEquals(1, last[0].length);
        assertEquals(i + 1, cache.length());
      }
      assertArrayEquals(ref.lastLogits(), last[0][0], 1e-4f);
    }
  }

  @Test
  void logits_batchOfTwo_eachRowAsAlone(@TempDir Path tmp) throws Exception {
    long[] a = {1, 385, 328, 432};
    long[] b = {1, 261, 376, 298};
    try (OrtCausalLm lm = OrtCausalLm.open(export(tmp, ExportOptions.defaults().withKvCache(true)), 1)) {
      float[][][] both = lm.logits(new long[][] {a, b});
      assertEquals(2, both.length);
      assertArrayEquals(lm.logits(new long[][] {b})[0][3], both[1][3], 1e-5f);
      assertArrayEquals(lm.logits(new long[][] {a})[0][3], both[0][3], 1e-5f);
    }
  }

  @Test
  void step_emptyInput_throws(@TempDir Path tmp) throws Exception {
    try (OrtCausalLm lm = OrtCausalLm.open(export(tmp, ExportOptions.defaults()), 1)) {
      assertThrows(IllegalArgumentException.class, () -> lm.logits(new long[][] {{}}));
    }
  }

  @Test
  void close_twice_thenUseThrows(@TempDir Path tmp) throws Exception {
    OrtCausalLm lm = OrtCausalLm.open(export(tmp, ExportOptions.defaults()), 1);
    lm.close();
    lm.close();
    assertThrows(IllegalStateException.class, () -> lm.logits(new long[][] {{1, 2}}));
    assertThrows(IllegalStateException.class, () -> lm.newCache(1));
  }
}

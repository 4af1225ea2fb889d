package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Perplexity's windowing and averaging on the bundled stories260k, against a double-precision reference computed here
 * from the model's logits (softmax by the textbook formula, no max shift).
 */
class PerplexityWindowsTest {
  private static final long[] STREAM = {385, 328, 432, 261, 376, 298, 315, 421, 395, 317, 272, 277, 264};

  /** −Σ log p(next) over every position of {@code window} but the last. */
  static double nll(OrtCausalLm lm, long[] window) throws Exception {
    float[][] logits = lm.logits(new long[][] {window})[0];
    double s = 0;
    for (int i = 0; i + 1 < window.length; i++) {
      double z = 0;
      for (float v : logits[i]) {
        z += Math.exp(v);
      }
      s -= Math.log(Math.exp(logits[i][(int) window[i + 1]]) / z);
    }
    return s;
  }

  static OrtCausalLm open(Path tmp) throws Exception {
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(Fixtures.bundled("stories260k"), onnx, ExportOptions.defaults());
    return OrtCausalLm.open(onnx, 1);
  }

  @Test
  void withBos_twoWindowsOfFour_everyTokenPredicted(@TempDir Path tmp) throws Exception {
    try (OrtCausalLm lm = open(tmp)) {
      Perplexity.Result r = Perplexity.withBos(lm, STREAM, 1, 4, 2);
      double nll = nll(lm, new long[] {1, 385, 328, 432, 261}) + nll(lm, new long[] {1, 376, 298, 315, 421});
      assertEquals(2, r.windows());
      assertEquals(8, r.tokens());
      assertEquals(nll / 8, r.meanNll(), 1e-9);
      assertEquals(Math.exp(nll / 8), r.perplexity(), 1e-9);
    }
  }

  @Test
  void ofWindows_streamAsItIs_lastLengthMinusOnePredicted(@TempDir Path tmp) throws Exception {
    try (OrtCausalLm lm = open(tmp)) {
      Perplexity.Result r = Perplexity.ofWindows(lm, STREAM, 5, 10);
      double nll = nll(lm, new long[] {385, 328, 432, 261, 376}) + nll(lm, new long[] {298, 315, 421, 395, 317});
      assertEquals(2, r.windows());
      assertEquals(8, r.tokens());
      assertEquals(nll / 8, r.meanNll(), 1e-9);
      assertEquals(Math.exp(nll / 8), r.perplexity(), 1e-9);
    }
  }

  @Test
  void badSizes_throw(@TempDir Path tmp) throws Exception {
    try (OrtCausalLm lm = open(tmp)) {
      assertThrows(IllegalArgumentException.class, () -> Perplexity.ofWindows(lm, STREAM, 1, 1));
      assertThrows(IllegalArgumentException.class, () -> Perplexity.ofWindows(lm, STREAM, 2, 0));
      assertThrows(IllegalArgumentException.class, () -> Perplexity.withBos(lm, STREAM, 1, 0, 1));
      assertThrows(IllegalArgumentException.class, () -> Perplexity.withBos(lm, STREAM, 1, 14, 1));
    }
  }

  @Test
  void withBos_exactlyOneWindow_isAccepted(@TempDir Path tmp) throws Exception {
    try (OrtCausalLm lm = open(tmp)) {
      assertEquals(13, Perplexity.withBos(lm, STREAM, 1, 13, 1).tokens());
    }
  }

  @Test
  void logSoftmax_nonMaximalTarget_isClosedForm() {
    // softmax(ln 2, 0) = (2/3, 1/3).
    assertEquals(Math.log(1.0 / 3), Perplexity.logSoftmax(new float[] {(float) Math.log(2), 0f}, 1), 1e-7);
    assertEquals(Math.log(2.0 / 3), Perplexity.logSoftmax(new float[] {0f, (float) Math.log(2)}, 1), 1e-7);
  }
}

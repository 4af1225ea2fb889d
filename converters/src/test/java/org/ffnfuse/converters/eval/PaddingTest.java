package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Padded batches on exported models: a row padded on the right or on the left ({@code attention_mask} 0 there) gives
 * its real tokens the logits the same tokens get alone, unpadded. The bundled random models have random biases and
 * norm gains; Llama uses rotary positions, GPT-2 learned absolute positions (which need {@code position_ids}).
 */
class PaddingTest {
  static final int PAD = 3;
  static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  private OrtCausalLm export(String model, boolean positionIds) throws Exception {
    Path onnx = dir.resolve("m.onnx");
    OnnxExporter.export(Fixtures.bundled(model), onnx, ExportOptions.defaults().withPositionIds(positionIds));
    return OrtCausalLm.open(onnx, 1);
  }

  /** Largest |logit difference| between the real tokens of a padded row and the same tokens alone. */
  private static double maxDifference(float[][] alone, float[][] padded, int offset) {
    double worst = 0;
    for (int t = 0; t < alone.length; t++) {
      for (int v = 0; v < alone[t].length; v++) {
        worst = Math.max(worst, Math.abs(alone[t][v] - padded[t + offset][v]));
      }
    }
    return worst;
  }

  @ParameterizedTest
  @CsvSource({"random/llama, false", "random/llama, true", "random/qwen2, false", "random/gpt2, true"})
  void logits_leftAndRightPaddedRows_equalTheUnpaddedRow(String model, boolean positionIds) throws Exception {
    long[] ids = Fixtures.reference(Fixtures.bundled(model)).inputIds();
    int n = ids.length;
    long[][] batch = new long[2][n + PAD];
    long[][] mask = new long[2][n + PAD];
    for (int i = 0; i < n; i++) {
      batch[0][i] = ids[i]; // right-padded: real tokens first, pad id 0 after
      mask[0][i] = 1;
      batch[1][PAD + i] = ids[i]; // left-padded
      mask[1][PAD + i] = 1;
    }
    try (OrtCausalLm lm = export(model, positionIds)) {
      float[][] alone = lm.logits(new long[][] {ids})[0];
      float[][][] padded = lm.logits(batch, mask);
      double right = maxDifference(alone, padded[0], 0);
      double left = maxDifference(alone, padded[1], PAD);
      System.err.printf("[measure] %s (position_ids %s) padded vs alone: right %.2e, left %.2e%n", model,
          positionIds, right, left);
      assertTrue(right < TOLERANCE, "right-padded row differs by " + right);
      assertTrue(left < TOLERANCE, "left-padded row differs by " + left);
    }
  }

  @Test
  void logits_gpt2WithoutPositionIds_rightPaddingStillExact() throws Exception {
    long[] ids = Fixtures.reference(Fixtures.bundled("random/gpt2")).inputIds();
    long[][] batch = {java.util.Arrays.copyOf(ids, ids.length + PAD)};
    long[][] mask = new long[1][ids.length + PAD];
    java.util.Arrays.fill(mask[0], 0, ids.length, 1);
    try (OrtCausalLm lm = export("random/gpt2", false)) {
      double right = maxDifference(lm.logits(new long[][] {ids})[0], lm.logits(batch, mask)[0], 0);
      assertTrue(right < TOLERANCE, "right-padded row differs by " + right);
    }
  }

  @Test
  void logits_maskOfWrongShapeOrValues_throws() throws Exception {
    try (OrtCausalLm lm = export("random/llama", false)) {
      assertThrows(IllegalArgumentException.class, () -> lm.logits(new long[][] {{1, 2}}, new long[][] {{1}}));
      assertThrows(IllegalArgumentException.class, () -> lm.logits(new long[][] {{1, 2}}, new long[][] {{1, 2}}));
    }
  }
}

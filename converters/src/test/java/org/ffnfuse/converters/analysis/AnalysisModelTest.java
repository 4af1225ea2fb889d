package org.ffnfuse.converters.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.analysis.BranchKind;
import org.ffnfuse.graph.analysis.BranchRemoval;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analysis session on our exporter's graphs (plain, parallel residual, KV cache) and on an exporter fixture. */
class AnalysisModelTest {
  @TempDir Path tmp;

  static double maxDiff(float[] flat, float[][][] nested) {
    double m = 0;
    int k = 0;
    for (float[][] a : nested) {
      for (float[] b : a) {
        for (float v : b) {
          m = Math.max(m, Math.abs(v - flat[k++]));
        }
      }
    }
    assertEquals(flat.length, k, "same element count");
    return m;
  }

  @Nested
  class Run {
    @Test
    void run_gatesOne_matchesPlainModel_llamaWithKvCache() throws Exception {
      Path onnx = TinyModels.export(TinyModels.llama(), Set.of(), tmp.resolve("llama.onnx"), true);
      long[][] ids = TinyModels.windows(2, 12, 64, 7);
      float[][][] plain;
      try (OrtCausalLm lm = OrtCausalLm.open(onnx, 1)) {
        plain = lm.logits(ids);
      }
      try (AnalysisModel m = AnalysisModel.open(onnx, 1)) {
        AnalysisModel.Outputs o = m.run(ids, m.intactGates(), true, List.of(), false);
        assertTrue(maxDiff(o.logits(), plain) < 1e-5, "intact analysis = model");
        assertEquals(1, m.passes());
      }
    }

    @Test
    void run_parallelResidual_recognizedAndGatesOneMatch() throws Exception {
      Path onnx = TinyModels.export(TinyModels.neox(), Set.of(), tmp.resolve("neox.onnx"), false);
      long[][] ids = TinyModels.windows(1, 10, 64, 3);
      float[][][] plain;
      try (OrtCausalLm lm = OrtCausalLm.open(onnx, 1)) {
        plain = lm.logits(ids);
      }
      try (AnalysisModel m = AnalysisModel.open(onnx, 1)) {
        assertTrue(m.parallelResidual(0) && m.parallelResidual(2), "GPT-NeoX blocks are parallel");
        AnalysisModel.Outputs o = m.run(ids, m.intactGates(), true, m.graph().branches(), true);
        assertTrue(maxDiff(o.logits(), plain) < 1e-5);
        assertEquals(6, o.branches().size());
      }
    }

    @Test
    void run_gateZeroOnAttention_equalsRemovedAttentionWithItsCache() throws Exception {
      Path onnx = TinyModels.export(TinyModels.llama(), Set.of(), tmp.resolve("llama.onnx"), true);
      Path removed = tmp.resolve("removed.onnx");
      BranchRemoval.Result r = OnnxAttentionRemoval.remove(onnx, Set.of(1, 2), removed);
      assertEquals(List.of("past_key_values.1.key", "past_key_values.1.value", "past_key_values.2.key",
          "past_key_values.2.value"), r.droppedInputs());
      assertEquals(List.of("present.1.key", "present.1.value", "present.2.key", "present.2.value"),
          r.droppedOutputs());
      long[][] ids = TinyModels.windows(2, 9, 64, 11);
      float[][][] cut;
      try (OrtCausalLm lm = OrtCausalLm.open(removed, 1)) {
        cut = lm.logits(ids);
      }
      try (AnalysisModel m = AnalysisModel.open(onnx, 1)) {
        float[] g = m.intactGates();
        g[BranchKind.ATTENTION.gateIndex(1)] = 0;
        g[BranchKind.ATTENTION.gateIndex(2)] = 0;
        AnalysisModel.Outputs o = m.run(ids, g, true, List.of(), false);
        assertTrue(maxDiff(o.logits(), cut) < 1e-5, "gate 0 = attention removed");
        assertTrue(maxDiff(m.run(ids, m.intactGates(), true, List.of(), false).logits(), cut) > 1e-3,
            "removal changes the logits");
      }
    }

    @Test
    void run_wrongGateCount_throwsAndCloseIsIdempotent() throws Exception {
      AnalysisModel m = AnalysisModel.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"), 1);
      assertThrows(IllegalArgumentException.class, () -> m.run(new long[][] {{1, 2}}, new float[3], true, List.of(),
          false));
      m.close();
      m.close();
      assertThrows(IllegalStateException.class, m::passes);
    }
  }
}

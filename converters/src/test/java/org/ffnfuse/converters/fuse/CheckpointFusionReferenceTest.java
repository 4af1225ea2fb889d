package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoint path ({@code fuse CKPT --chains 2-2 -o fused.onnx}) on the bundled random models, which carry random
 * biases and norm gains far from 1: a one-FFN chain is the identity of fusion, but it still goes through every fold
 * (norm gain into the input projections, Gemma's {@code 1 + w}, GPT-2's LayerNorm bias into fc1's bias, the summed
 * fc2 bias, Phi-3's split {@code gate_up_proj}). The fused model must reproduce PyTorch's logits in
 * {@code reference.json} as the export does (1e-4).
 */
class CheckpointFusionReferenceTest {
  static final double TOLERANCE = 1e-4;

  @ParameterizedTest
  @ValueSource(strings = {"random/llama", "random/qwen2", "random/gemma", "random/phi3", "random/gpt2"})
  void fuse_oneFfnChain_reproducesTheReferenceLogits(String model, @TempDir Path dir) throws Exception {
    Path in = Fixtures.bundled(model);
    Path out = dir.resolve("fused.onnx");
    Fusion.fuse(in, FusionPlan.parse("2-2"), out, "fp32", false);
    Fixtures.Reference ref = Fixtures.reference(in);
    long[][] ids = ref.inputIdsBatch();
    float[][] want = ref.lastLogitsBatch();
    float[][][] logits = OrtRunner.run(out, ids);
    double worst = 0;
    for (int b = 0; b < ids.length; b++) {
      float[] last = logits[b][ids[b].length - 1];
      assertEquals(want[b].length, last.length, "vocab");
      for (int v = 0; v < last.length; v++) {
        worst = Math.max(worst, Math.abs(last[v] - want[b][v]));
      }
    }
    System.err.printf("[measure] %s fused 2-2 via the checkpoint path: max |Δ| vs reference.json %.3g%n", model,
        worst);
    assertTrue(worst <= TOLERANCE, model + ": max |Δ| vs reference.json " + worst);
  }
}

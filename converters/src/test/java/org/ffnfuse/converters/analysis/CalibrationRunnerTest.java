package org.ffnfuse.converters.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.ffnfuse.graph.analysis.BranchKind;
import org.ffnfuse.graph.analysis.BranchOutput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Pass counts from the runner's own counter, and matrix properties on tiny models where the answer is known. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CalibrationRunnerTest {
  Path llama;
  Path zeroFfn1;

  @BeforeAll
  void models(@TempDir Path tmp) throws Exception {
    llama = TinyModels.export(TinyModels.llama(), Set.of(), tmp.resolve("llama.onnx"), false);
    zeroFfn1 = TinyModels.export(TinyModels.llama(), Set.of("model.layers.1.mlp.down_proj.weight"),
        tmp.resolve("zero-ffn1.onnx"), false);
  }

  static final long[][] WINDOWS = TinyModels.windows(5, 16, 64, 42);

  @Nested
  class PassCounts {
    @Test
    void run_blockMatrixOnly_nPlusOnePassesPerBatch() throws Exception {
      CalibrationOptions o = new CalibrationOptions(2, true, false, false);
      try (AnalysisModel m = AnalysisModel.open(llama, 1)) {
        List<Long> ticks = new ArrayList<>();
        AnalysisResult r = CalibrationRunner.run("llama", m, WINDOWS, true, o, ticks::add);
        int n = m.blocks();
        assertEquals(4, n);
        assertEquals(n + 1, r.passes().perBatch(), "n + 1 passes per batch");
        assertEquals(3, r.passes().batches(), "5 windows in batches of 2");
        assertEquals(3L * (n + 1), r.passes().total());
        assertEquals(r.passes().total(), m.passes(), "the session's own counter");
        assertEquals(r.passes().total(), ticks.get(ticks.size() - 1), "progress reaches the total");
        assertTrue(r.ffnMatrix().isEmpty() && r.attentionKl().isEmpty());
      }
    }

    @Test
    void run_blockAndFfnMatrices_twoNPlusOnePassesPerBatch() throws Exception {
      CalibrationOptions o = new CalibrationOptions(5, true, true, false);
      try (AnalysisModel m = AnalysisModel.open(llama, 1)) {
        AnalysisResult r = CalibrationRunner.run("llama", m, WINDOWS, true, o, x -> { });
        assertEquals(2 * m.blocks() + 1, r.passes().perBatch());
        assertEquals(2L * m.blocks() + 1, m.passes(), "one batch: 2n + 1 session runs");
      }
    }

    @Test
    void run_everything_addsOnePassPerAttention() throws Exception {
      try (AnalysisModel m = AnalysisModel.open(llama, 1)) {
        AnalysisResult r = CalibrationRunner.run("llama", m, WINDOWS, true, CalibrationOptions.all().withBatch(8),
            x -> { });
        assertEquals(3 * 4 + 1, r.passes().perBatch());
        assertEquals(4, r.attentionKl().size());
        assertEquals(r.passes().total(), m.passes());
      }
    }
  }

  @Nested
  class Matrices {
    @Test
    void run_zeroFfnWeights_zeroContributionAndNoDependencyOnIt() throws Exception {
      try (AnalysisModel m = AnalysisModel.open(zeroFfn1, 1)) {
        AnalysisResult r = CalibrationRunner.run("zero", m, WINDOWS, true, CalibrationOptions.all(), x -> { });
        BranchProfile p = r.profiles().stream().filter(b -> b.block() == 1 && b.kind() == BranchKind.FFN)
            .findFirst().orElseThrow();
        assertEquals(0.0, p.normRatio(), "‖h‖/‖x‖ of a zero FFN");
        assertEquals(1.0, p.cosine(), 1e-12, "cos(x, x + 0)");
        BlockMatrix f = r.ffnMatrix().orElseThrow();
        for (int j = 2; j < 4; j++) {
          assertEquals(0.0, f.get(1, j), "skipping a zero FFN changes no later FFN");
        }
        assertEquals(0.0, f.get(0, 1), "a zero FFN's output stays zero: distance 0");
        assertEquals(0.0, r.ffnKl().get(1), 1e-12, "nor the logits");
        assertTrue(f.get(0, 2) > 1e-4, "a real FFN does change later ones");
        assertTrue(r.blockMatrix().orElseThrow().get(1, 2) > 1e-4, "block 1 still has attention");
      }
    }

    @Test
    void run_matrixEntry_equalsDirectComputation() throws Exception {
      // M[1][3]: cosine distance of block 3's contribution intact vs block 1 skipped, averaged without BOS.
      long[][] w = TinyModels.windows(2, 16, 64, 5);
      try (AnalysisModel m = AnalysisModel.open(llama, 1)) {
        AnalysisResult r = CalibrationRunner.run("llama", m, w, true, new CalibrationOptions(2, true, false, false),
            x -> { });
        List<BranchOutput> b3 = List.of(m.graph().branch(3, BranchKind.ATTENTION).orElseThrow(),
            m.graph().branch(3, BranchKind.FFN).orElseThrow());
        AnalysisModel.Outputs intact = m.run(w, m.intactGates(), false, b3, false);
        float[] g = m.intactGates();
        g[2] = 0;
        g[3] = 0;
        AnalysisModel.Outputs skipped = m.run(w, g, false, b3, false);
        double sum = 0;
        int count = 0;
        for (int t = 0; t < 2 * 16; t++) {
          if (t % 16 == 0) {
            continue; // BOS
          }
          double ab = 0;
          double aa = 0;
          double bb = 0;
          for (int k = 0; k < 32; k++) {
            double a = 0;
            double c = 0;
            for (BranchOutput x : b3) {
              a += intact.branches().get(x.output())[t * 32 + k];
              c += skipped.branches().get(x.output())[t * 32 + k];
            }
            ab += a * c;
            aa += a * a;
            bb += c * c;
          }
          sum += 1 - ab / Math.sqrt(aa * bb);
          count++;
        }
        assertEquals(sum / count, r.blockMatrix().orElseThrow().get(1, 3), 1e-6);
        assertFalse(r.blockMatrix().get().defined(3, 1), "only i < j is defined");
      }
    }

    @Test
    void run_profiles_streamEnteringEachBranch() throws Exception {
      try (AnalysisModel m = AnalysisModel.open(llama, 1)) {
        AnalysisResult r = CalibrationRunner.run("llama", m, WINDOWS, true, CalibrationOptions.attentionOnly(),
            x -> { });
        assertEquals(8, r.profiles().size(), "attention and FFN of 4 blocks");
        for (BranchProfile p : r.profiles()) {
          assertTrue(p.cosine() > -1 && p.cosine() <= 1 + 1e-9 && p.normRatio() > 0, p.toString());
        }
        assertEquals(5L * 15, r.statisticTokens(), "BOS positions left out");
        r.attentionKl().values().forEach(v -> assertTrue(v > 0, "removing attention changes the distribution"));
      }
    }
  }
}

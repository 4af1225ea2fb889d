package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealingTest {
  static final Path NAS = Fixtures.bundled("nas-austen-16l");
  static final Path BROWN = NAS.resolve("../../text/brown-excerpt.txt").normalize();

  /** Windows of 64 tokens with BOS from the bundled Brown excerpt. */
  static long[][] windows(int count) throws Exception {
    long[] ids = EvalTokens.tokenize(BROWN, NAS.resolve("tokenizer.json"));
    return TokenWindows.cut(ids, Optional.of(1L), 64, count);
  }

  @Nested
  class Onnx {
    @Test
    void heal_fusedOnnx_replacesOnlyTheFusedFfnWeightsAndReducesHeldOutError(@TempDir Path dir) throws Exception {
      FusionPlan plan = FusionPlan.parse("8-10");
      Path fused = dir.resolve("fused.onnx");
      Fusion.fuse(NAS, plan, fused, "fp32", false);
      Path healed = dir.resolve("healed.onnx");

      HealReport r = Healing.heal(NAS, fused, plan, windows(8), true,
          HealOptions.defaults(HealMethod.LSTSQ).withTokens(400), healed, s -> { });

      HealReport.Chain c = r.chains().get(0);
      assertEquals(8, c.fusedBlock());
      assertEquals(1536, c.width());
      assertEquals(400, c.trainTokens() + c.heldOutTokens());
      assertTrue(c.heldOutAfter() < c.heldOutBefore(), c.heldOutBefore() + " → " + c.heldOutAfter());
      try (OnnxModel a = OnnxModel.open(fused); OnnxModel b = OnnxModel.open(healed)) {
        assertEquals(a.initializerNames(), b.initializerNames());
        int changed = 0;
        for (String name : a.initializerNames()) {
          Tensor ta = a.initializer(name);
          Tensor tb = b.initializer(name);
          assertEquals(ta.shape(), tb.shape(), name);
          assertEquals(ta.dtype(), tb.dtype(), name);
          if (!bytes(ta).equals(bytes(tb))) {
            changed++;
          }
        }
        assertEquals(1, changed, "only the down projection of the fused block changes");
        assertEquals(a.proto().getGraph().getNodeCount(), b.proto().getGraph().getNodeCount());
      }
    }
  }

  @Nested
  class OnnxFusedFfnNode {
    @Test
    void heal_onnxFusedWithFusedFfnFunction_keepsTheNodeAndReplacesItsWeights(@TempDir Path dir) throws Exception {
      Path original = dir.resolve("model.onnx");
      org.ffnfuse.converters.export.OnnxExporter.export(NAS, original,
          org.ffnfuse.converters.export.ExportOptions.defaults());
      FusionPlan plan = FusionPlan.parse("9-11");
      Path fused = dir.resolve("fused.onnx");
      Fusion.fuse(original, plan, fused, "same", false);
      Path healed = dir.resolve("healed.onnx");

      HealReport r = Healing.heal(original, fused, plan, windows(8), true,
          HealOptions.defaults(HealMethod.LSTSQ).withTokens(400), healed, s -> { });

      assertEquals(9, r.chains().get(0).fusedBlock());
      assertTrue(r.chains().get(0).heldOutAfter() < r.chains().get(0).heldOutBefore());
      try (OnnxModel a = OnnxModel.open(fused); OnnxModel b = OnnxModel.open(healed)) {
        assertEquals(a.proto().getGraph().getNodeList(), b.proto().getGraph().getNodeList());
        assertEquals(a.proto().getFunctionsList(), b.proto().getFunctionsList());
        assertTrue(b.proto().getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("FusedFFN")));
        long changed = 0;
        for (String name : a.initializerNames()) {
          if (!bytes(a.initializer(name)).equals(bytes(b.initializer(name)))) {
            changed++;
          }
        }
        assertEquals(1, changed, "only the down projection of the fused block changes");
      }
    }
  }

  private static java.nio.ByteBuffer bytes(Tensor t) throws java.io.IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) t.byteSize());
    t.read(0, b);
    return b.flip();
  }

  @Nested
  class Refuses {
    @Test
    void heal_planNotMatchingFusedModel_throwsBeforeWriting(@TempDir Path dir) throws Exception {
      Path fused = dir.resolve("fused");
      Fusion.fuse(NAS, FusionPlan.parse("8-10"), fused, "same", false);
      Path out = dir.resolve("healed");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Healing.heal(NAS, fused,
          FusionPlan.parse("8-11"), windows(1), true, HealOptions.defaults(HealMethod.LSTSQ).withTokens(32), out,
          s -> { }));
      assertTrue(e.getMessage().contains("fused with this plan"), e.getMessage());
      assertFalse(Files.exists(out));
    }

    @Test
    void heal_outputKindDiffers_throws(@TempDir Path dir) {
      assertThrows(IllegalArgumentException.class, () -> Healing.heal(NAS, dir.resolve("fused"),
          FusionPlan.parse("8-10"), new long[][] {{1, 2}}, true, HealOptions.defaults(HealMethod.LSTSQ),
          dir.resolve("healed.onnx"), s -> { }));
    }
  }

  @Test
  void fusedBlocks_renumberedAndPlaceholders_mapChainsToBlocks() {
    List<org.ffnfuse.graph.fusion.ChainRange> chains = FusionPlan.parse("2-4,7-9").chains();
    assertArrayEquals(new int[] {2, 5}, Healing.fusedBlocks(chains, 12, blocks(8)));
    assertArrayEquals(new int[] {2, 7}, Healing.fusedBlocks(chains, 12, blocks(12)));
    assertThrows(IllegalArgumentException.class, () -> Healing.fusedBlocks(chains, 12, blocks(10)));
  }

  private static FusedModel blocks(int n) {
    return new FusedModel() {
      @Override
      public boolean isOnnx() {
        return false;
      }

      @Override
      public int blockCount() {
        return n;
      }

      @Override
      public long ffnWidth(int index) {
        return 0;
      }

      @Override
      public FusedBlockParameters block(int index, List<Long> memberWidths) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void write(java.util.Map<Integer, FusedBlockParameters> healed, Path output) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() { }
    };
  }
}

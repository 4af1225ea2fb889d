package org.ffnfuse.converters.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Healing where the optimum is known without the healer: a chain of one FFN (block 8 of the bundled nas-austen-16l).
 * Its "fused" block is the FFN itself, so the targets the original model yields are exactly what that FFN computes:
 * the fused block's held-out error is fp32 rounding, and the healed down projection must be the original model's
 * {@code model.layers.8.mlp.down_proj.weight}, read here from the input checkpoint. Collecting the chain's input as its
 * output (or the other way round) breaks both.
 */
class HealingExactTest {
  private static final String DOWN = "model.layers.8.mlp.down_proj.weight";

  @Test
  void heal_oneFfnChain_keepsTheOriginalDownProjection(@TempDir Path dir) throws Exception {
    FusionPlan plan = FusionPlan.parse("8-8");
    Path fused = dir.resolve("fused");
    Fusion.fuse(HealingTest.NAS, plan, fused, "fp32", false);
    Path healed = dir.resolve("healed");

    HealReport r = Healing.heal(HealingTest.NAS, fused, plan, HealingTest.windows(8), true,
        HealOptions.defaults(HealMethod.LSTSQ).withTokens(400), healed, s -> { });

    HealReport.Chain c = r.chains().get(0);
    assertTrue(c.heldOutBefore() < 1e-5, "the one-FFN block reproduces its chain: " + c.heldOutBefore());
    assertTrue(c.heldOutAfter() <= c.heldOutBefore(), c.heldOutBefore() + " → " + c.heldOutAfter());
    try (SafetensorsCheckpoint original = SafetensorsCheckpoint.open(HealingTest.NAS);
        SafetensorsCheckpoint out = SafetensorsCheckpoint.open(healed)) {
      float[] want = original.tensor(DOWN).toFloats();
      float[] got = out.tensor(DOWN).toFloats();
      assertEquals(want.length, got.length);
      double worst = 0;
      double scale = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
      assertTrue(worst <= 1e-3 * scale, "healed down_proj differs from the original by " + worst + " (max |w| "
          + scale + ")");
    }
  }
}

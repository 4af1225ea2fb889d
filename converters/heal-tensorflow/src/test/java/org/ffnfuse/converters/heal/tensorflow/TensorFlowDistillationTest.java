package org.ffnfuse.converters.heal.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.ffnfuse.converters.heal.ChainSamples;
import org.ffnfuse.converters.heal.Distillation;
import org.ffnfuse.converters.heal.DistillationOptions;
import org.ffnfuse.converters.heal.DistillationProblem;
import org.ffnfuse.converters.heal.DistillationResult;
import org.ffnfuse.converters.heal.FusedBlockParameters;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorFlowDistillationTest {
  private static final int HIDDEN = 16;
  private static final int WIDTH = 32;

  private static float[] gaussian(Random r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }

  private static FusedBlockParameters block(Random r, Activation act, boolean gated) {
    float[] gain = new float[HIDDEN];
    java.util.Arrays.fill(gain, 1f);
    double in = 1 / Math.sqrt(HIDDEN);
    return FusedBlockParameters.of(act, NormKind.RMS_NORM, 1e-5, gain,
        gated ? gaussian(r, WIDTH * HIDDEN, in) : null, gaussian(r, WIDTH * HIDDEN, in),
        gaussian(r, HIDDEN * WIDTH, 1 / Math.sqrt(WIDTH)), List.of(16L, 16L));
  }

  /** {@code p} with every projection moved by Gaussian noise of {@code scale}. */
  private static FusedBlockParameters perturbed(FusedBlockParameters p, Random r, double scale) {
    float[] g = p.gate().orElse(null);
    float[] u = p.up();
    float[] d = p.down();
    for (float[] m : g == null ? List.of(u, d) : List.of(g, u, d)) {
      for (int i = 0; i < m.length; i++) {
        m[i] += (float) (r.nextGaussian() * scale);
      }
    }
    return p.withProjections(g, u, d);
  }

  private static ChainSamples samples(FusedBlockParameters truth, Random r, int n) {
    float[] x = gaussian(r, n * HIDDEN, 1);
    float[] f = truth.contribution(x);
    float[] y = new float[x.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = x[i] + f[i];
    }
    return ChainSamples.of(HIDDEN, x, y);
  }

  @Test
  void serviceLoader_findsTheTensorFlowBackend() {
    assertInstanceOf(TensorFlowDistillation.class, Distillation.require());
    assertTrue(Distillation.require().name().startsWith("tensorflow-java "), Distillation.require().name());
  }

  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"SILU", "GELU", "GELU_TANH"})
  void distill_perturbedGatedBlock_reducesHeldOutLoss(Activation act) throws Exception {
    Random r = new Random(42);
    FusedBlockParameters truth = block(r, act, true);
    FusedBlockParameters start = perturbed(truth, r, 0.15);
    ChainSamples train = samples(truth, r, 2048);
    ChainSamples held = samples(truth, r, 256);
    DistillationOptions o = DistillationOptions.defaults().withLearningRate(3e-3).withMaxEpochs(30)
        .withBatchSize(64).withThreads(1);

    DistillationResult res = new TensorFlowDistillation().distill(new DistillationProblem(start, train, held, o));

    assertEquals(start.relativeError(held), res.heldOutBefore(), 1e-3, "TF and Java agree on the start");
    assertEquals(res.healed().relativeError(held), res.heldOutAfter(), 1e-3, "and on the result");
    assertTrue(res.heldOutAfter() < 0.3 * res.heldOutBefore(), res.heldOutBefore() + " → " + res.heldOutAfter());
    assertTrue(res.steps() > 0);
  }

  @Test
  void distill_plainMlp_reducesHeldOutLoss() throws Exception {
    Random r = new Random(7);
    FusedBlockParameters truth = block(r, Activation.RELU, false);
    FusedBlockParameters start = perturbed(truth, r, 0.15);
    ChainSamples train = samples(truth, r, 2048);
    ChainSamples held = samples(truth, r, 256);
    DistillationOptions o = DistillationOptions.defaults().withLearningRate(3e-3).withMaxEpochs(20)
        .withBatchSize(64).withThreads(1);

    DistillationResult res = new TensorFlowDistillation().distill(new DistillationProblem(start, train, held, o));

    assertTrue(res.heldOutAfter() < 0.5 * res.heldOutBefore(), res.heldOutBefore() + " → " + res.heldOutAfter());
  }

  @Test
  void distill_alreadyExact_keepsTheStartingWeights() throws Exception {
    Random r = new Random(9);
    FusedBlockParameters truth = block(r, Activation.SILU, true);
    ChainSamples train = samples(truth, r, 512);
    ChainSamples held = samples(truth, r, 128);
    DistillationOptions o = DistillationOptions.defaults().withMaxEpochs(2).withBatchSize(64).withThreads(1);

    DistillationResult res = new TensorFlowDistillation().distill(new DistillationProblem(truth, train, held, o));

    assertTrue(res.heldOutBefore() < 1e-9, "exact start: " + res.heldOutBefore());
    assertTrue(res.heldOutAfter() <= res.heldOutBefore());
  }
}

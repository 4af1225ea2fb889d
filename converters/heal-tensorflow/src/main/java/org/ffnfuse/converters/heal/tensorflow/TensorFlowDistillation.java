package org.ffnfuse.converters.heal.tensorflow;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.logging.Logger;
import org.ffnfuse.converters.heal.ChainSamples;
import org.ffnfuse.converters.heal.DistillationBackend;
import org.ffnfuse.converters.heal.DistillationOptions;
import org.ffnfuse.converters.heal.DistillationProblem;
import org.ffnfuse.converters.heal.DistillationResult;
import org.ffnfuse.converters.heal.FusedBlockParameters;
import org.ffnfuse.graph.pattern.Activation;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Block-local distillation on TensorFlow Java (graph mode, CPU): the fused FFN's gate, up and down projections are
 * variables initialized from the fused weights and trained with Adam on seeded mini-batches to minimize
 * {@code Σ‖F(x) − (y − x)‖² / (B · mean‖y − x‖²)}; the held-out relative error is checked every
 * {@link DistillationOptions#evalEvery()} steps, training stops after {@link DistillationOptions#patience()} checks
 * without improvement, and the best weights seen are returned.
 *
 * <p>The norm has no trainable parameters, so its output {@code u} is computed once in Java and fed as the input;
 * gate/up biases (if any) are fed as fixed constants and the down bias is taken out of the target. Mini-batch order
 * comes from {@code java.util.Random(seed)}; TensorFlow's multi-threaded CPU kernels may still sum in different
 * orders from run to run (differences at the level of float rounding).
 */
public final class TensorFlowDistillation implements DistillationBackend {
  private static final Logger LOG = Logger.getLogger(TensorFlowDistillation.class.getName());
  private static final int EVAL_BATCH = 1024;

  /** For {@link java.util.ServiceLoader}. */
  public TensorFlowDistillation() {}

  @Override
  public String name() {
    return "tensorflow-java " + TensorFlow.version();
  }

  @Override
  public DistillationResult distill(DistillationProblem problem) throws IOException {
    FusedBlockParameters p0 = problem.initial();
    DistillationOptions o = problem.options();
    int h = p0.hidden();
    int w = p0.width();
    Data train = Data.of(p0, problem.train());
    Data held = Data.of(p0, problem.heldOut());
    float energy = (float) (train.energy / train.count); // mean ‖r‖² per token: the loss is then ≈ relative error

    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> u = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> r = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> gateInit = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> upInit = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> downInit = tf.placeholder(TFloat32.class);
      Optional<Variable<TFloat32>> gate = p0.gated()
          ? Optional.of(tf.variable(Shape.of(w, h), TFloat32.class)) : Optional.empty();
      Variable<TFloat32> up = tf.variable(Shape.of(w, h), TFloat32.class);
      Variable<TFloat32> down = tf.variable(Shape.of(h, w), TFloat32.class);
      List<Op> inits = new ArrayList<>();
      gate.ifPresent(v -> inits.add(tf.assign(v, gateInit)));
      inits.add(tf.assign(up, upInit));
      inits.add(tf.assign(down, downInit));

      Operand<TFloat32> upOut = bias(tf, tf.linalg.matMul(u, up, MatMul.transposeB(true)), p0.upBias());
      Operand<TFloat32> a;
      if (gate.isPresent()) {
        Operand<TFloat32> gateOut = bias(tf, tf.linalg.matMul(u, gate.get(), MatMul.transposeB(true)),
            p0.gateBias());
        a = tf.math.mul(activation(tf, p0.activation(), gateOut), upOut);
      } else {
        a = activation(tf, p0.activation(), upOut);
      }
      Operand<TFloat32> out = tf.linalg.matMul(a, down, MatMul.transposeB(true));
      Operand<TFloat32> sse = tf.reduceSum(tf.math.squaredDifference(out, r), tf.constant(new int[] {0, 1}));
      Operand<TFloat32> batchTokens = tf.dtypes.cast(tf.shape.size(tf.shape(u), tf.constant(0)), TFloat32.class);
      Operand<TFloat32> loss = tf.math.div(sse, tf.math.mul(batchTokens, tf.constant(energy)));
      Op train0 = new Adam(g, (float) o.learningRate()).minimize(loss);

      ConfigProto.Builder config = ConfigProto.newBuilder();
      if (o.threads() > 0) {
        config.setIntraOpParallelismThreads(o.threads()).setInterOpParallelismThreads(1);
      }
      try (Session s = new Session(g, config.build())) {
        var runner = s.runner();
        List<TFloat32> owned = new ArrayList<>();
        try {
          p0.gate().ifPresent(v -> runner.feed(gateInit, own(owned, Shape.of(w, h), v)));
          runner.feed(upInit, own(owned, Shape.of(w, h), p0.up()));
          runner.feed(downInit, own(owned, Shape.of(h, w), p0.down()));
          inits.forEach(runner::addTarget);
          runner.run();
        } finally {
          owned.forEach(TFloat32::close);
        }
        s.initialize();

        double before = evaluate(s, u, r, sse, held, h);
        double best = before;
        FusedBlockParameters bestParams = p0;
        int bad = 0;
        int steps = 0;
        int perEpoch = (train.count + o.batchSize() - 1) / o.batchSize();
        Random rng = new Random(o.seed());
        int[] order = new int[train.count];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        float[] ub = new float[o.batchSize() * h];
        float[] rb = new float[o.batchSize() * h];
        stop:
        for (int epoch = 0; epoch < o.maxEpochs(); epoch++) {
          shuffle(order, rng);
          for (int b = 0; b < perEpoch; b++) {
            int from = b * o.batchSize();
            int n = Math.min(o.batchSize(), train.count - from);
            for (int i = 0; i < n; i++) {
              System.arraycopy(train.u, order[from + i] * h, ub, i * h, h);
              System.arraycopy(train.r, order[from + i] * h, rb, i * h, h);
            }
            try (TFloat32 ut = tensor(Shape.of(n, h), ub, n * h); TFloat32 rt = tensor(Shape.of(n, h), rb, n * h)) {
              s.runner().feed(u, ut).feed(r, rt).addTarget(train0).run();
            }
            steps++;
            if (steps % o.evalEvery() == 0 || (epoch == o.maxEpochs() - 1 && b == perEpoch - 1)) {
              double e = evaluate(s, u, r, sse, held, h);
              final int st = steps;
              LOG.fine(() -> String.format(Locale.ROOT, "step %d: held-out relative error %.5f", st, e));
              if (!Double.isFinite(e)) {
                break stop;
              }
              if (e < best) {
                best = e;
                bestParams = p0.withProjections(gate.isPresent() ? read(s, gate.get(), w * h) : null,
                    read(s, up, w * h), read(s, down, h * w));
                bad = 0;
              } else if (++bad >= o.patience()) {
                break stop;
              }
            }
          }
        }
        return new DistillationResult(bestParams, before, best, steps, (double) steps / perEpoch);
      }
    }
  }

  /** Inputs and targets of one sample set: {@code u = norm(x)}, {@code r = y − x − bd}. */
  private record Data(float[] u, float[] r, int count, double energy) {
    static Data of(FusedBlockParameters p, ChainSamples s) {
      int h = s.hidden();
      float[] x = new float[s.count() * h];
      float[] y = new float[s.count() * h];
      s.x().get(x);
      s.y().get(y);
      float[] bd = p.downBias().orElse(new float[h]);
      float[] r = new float[x.length];
      double energy = 0;
      for (int i = 0; i < r.length; i++) {
        double d = (double) y[i] - x[i];
        energy += d * d;
        r[i] = (float) (d - bd[i % h]);
      }
      return new Data(p.normalize(x), r, s.count(), energy);
    }
  }

  /** {@code Σ‖out − r‖² / Σ‖y − x‖²} over {@code d}, in batches. */
  private static double evaluate(Session s, Placeholder<TFloat32> u, Placeholder<TFloat32> r,
      Operand<TFloat32> sse, Data d, int h) {
    double total = 0;
    for (int from = 0; from < d.count; from += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, d.count - from);
      float[] ub = new float[n * h];
      float[] rb = new float[n * h];
      System.arraycopy(d.u, from * h, ub, 0, n * h);
      System.arraycopy(d.r, from * h, rb, 0, n * h);
      try (TFloat32 ut = tensor(Shape.of(n, h), ub, n * h); TFloat32 rt = tensor(Shape.of(n, h), rb, n * h);
          Result res = s.runner().feed(u, ut).feed(r, rt).fetch(sse).run()) {
        total += ((TFloat32) res.get(0)).getFloat();
      }
    }
    return total / d.energy;
  }

  private static Operand<TFloat32> bias(Ops tf, Operand<TFloat32> v, Optional<float[]> b) {
    return b.isPresent() ? tf.math.add(v, tf.constant(b.get())) : v;
  }

  /** The activation as TensorFlow ops, following {@link Activation}'s definitions. */
  static Operand<TFloat32> activation(Ops tf, Activation a, Operand<TFloat32> v) {
    return switch (a) {
      case SILU -> tf.math.mul(v, tf.math.sigmoid(v));
      case GELU -> tf.math.mul(tf.math.mul(tf.constant(0.5f), v),
          tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(v, tf.constant((float) (1 / Math.sqrt(2)))))));
      case GELU_TANH -> {
        Operand<TFloat32> cube = tf.math.mul(tf.math.mul(v, v), v);
        Operand<TFloat32> inner = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)),
            tf.math.add(v, tf.math.mul(tf.constant(0.044715f), cube)));
        yield tf.math.mul(tf.math.mul(tf.constant(0.5f), v), tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
      }
      case QUICK_GELU -> tf.math.mul(v, tf.math.sigmoid(tf.math.mul(tf.constant(1.702f), v)));
      case RELU -> tf.nn.relu(v);
      case IDENTITY -> v;
    };
  }

  private static TFloat32 tensor(Shape shape, float[] values, int count) {
    return TFloat32.tensorOf(shape, DataBuffers.of(FloatBuffer.wrap(values, 0, count).slice()));
  }

  private static TFloat32 own(List<TFloat32> owned, Shape shape, float[] values) {
    TFloat32 t = tensor(shape, values, values.length);
    owned.add(t);
    return t;
  }

  private static float[] read(Session s, Variable<TFloat32> v, int count) {
    try (Result res = s.runner().fetch(v).run()) {
      float[] out = new float[count];
      ((TFloat32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  private static void shuffle(int[] a, Random rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

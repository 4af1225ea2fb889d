package org.ffnfuse.converters.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.ffnfuse.converters.eval.OrtErrors;

/**
 * Times full-sequence forward passes of an ONNX language model on ONNX Runtime. Inputs are random token ids below
 * the vocabulary size (read from the logits output, else 256), an all-ones attention mask, positions 0..T-1, and
 * empty KV caches when the graph has {@code past_key_values.*} inputs.
 */
public final class OrtBenchmark {
  private static final Logger LOG = Logger.getLogger(OrtBenchmark.class.getName());

  private OrtBenchmark() {}

  /**
   * Session options for {@code config}; CUDA failures are explained, not hidden.
   *
   * @throws IllegalArgumentException if {@code config} asks for CUDA and this build or machine has none
   */
  static OrtSession.SessionOptions options(BenchConfig config) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    if (config.threads() > 0) {
      o.setIntraOpNumThreads(config.threads());
    }
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (config.provider() == ExecutionProvider.CUDA) {
      try {
        o.addCUDA();
      } catch (OrtException | UnsatisfiedLinkError e) {
        o.close();
        String why = e instanceof OrtException ort ? OrtErrors.message(ort) : e.getMessage();
        throw new IllegalArgumentException("the CUDA execution provider is not available: " + why
            + ". It needs the onnxruntime_gpu build (mvn -Pgpu package) and a machine with an NVIDIA GPU and CUDA 12;"
            + " use --ep cpu here.", e);
      }
    }
    return o;
  }

  /**
   * Measures {@code model} at every batch size of {@code config}.
   *
   * @param progress called after each timed run with a short description (for progress bars)
   * @throws OrtException naming {@code model} (see {@link OrtErrors#kind}) if ONNX Runtime rejects or cannot run it
   * @throws IllegalArgumentException if {@code config} asks for CUDA and this build or machine has none
   */
  public static List<BenchResult> run(Path model, BenchConfig config, Consumer<String> progress)
      throws OrtException {
    try {
      return measure(model, config, progress);
    } catch (OrtException e) {
      throw OrtErrors.naming(model, e);
    }
  }

  private static List<BenchResult> measure(Path model, BenchConfig config, Consumer<String> progress)
      throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<BenchResult> results = new ArrayList<>();
    try (OrtSession.SessionOptions opts = options(config);
        OrtSession session = env.createSession(model.toString(), opts)) {
      long vocab = vocabulary(session);
      for (int batch : config.batches()) {
        Map<String, OnnxTensor> inputs = inputs(env, session, batch, config.seqLen(), vocab, config.seed());
        try {
          for (int i = 0; i < config.warmup(); i++) {
            session.run(inputs).close();
          }
          List<Double> samples = new ArrayList<>();
          for (int i = 0; i < config.repeats(); i++) {
            long t0 = System.nanoTime();
            session.run(inputs).close();
            samples.add((System.nanoTime() - t0) / 1e6);
            progress.accept(model.getFileName() + " batch " + batch);
          }
          results.add(summarize(model.getFileName().toString(), batch, config.seqLen(), samples));
        } finally {
          inputs.values().forEach(OnnxTensor::close);
        }
      }
    }
    return results;
  }

  static BenchResult summarize(String label, int batch, int seq, List<Double> samples) {
    List<Double> sorted = new ArrayList<>(samples);
    sorted.sort(Double::compare);
    double median = percentile(sorted, 50);
    return new BenchResult(label, batch, seq, median, percentile(sorted, 10), percentile(sorted, 90),
        batch * (double) seq / (median / 1000), samples);
  }

  /** Linear-interpolated percentile of sorted values. */
  static double percentile(List<Double> sorted, double p) {
    double pos = p / 100 * (sorted.size() - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
  }

  private static long vocabulary(OrtSession session) throws OrtException {
    for (NodeInfo out : session.getOutputInfo().values()) {
      if (out.getInfo() instanceof TensorInfo t && t.getShape().length == 3 && t.getShape()[2] > 0) {
        return t.getShape()[2];
      }
    }
    LOG.fine("vocabulary size not static in the logits output; using ids below 256");
    return 256;
  }

  private static Map<String, OnnxTensor> inputs(OrtEnvironment env, OrtSession session, int batch, int seq,
      long vocab, long seed) throws OrtException {
    Random rnd = new Random(seed);
    Map<String, OnnxTensor> in = new HashMap<>();
    try {
      for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
        String name = e.getKey();
        TensorInfo info = (TensorInfo) e.getValue().getInfo();
        if (name.equals("input_ids")) {
          long[] ids = new long[batch * seq];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt((int) Math.min(vocab, Integer.MAX_VALUE));
          }
          in.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq}));
        } else if (name.equals("attention_mask")) {
          long[] ones = new long[batch * seq];
          java.util.Arrays.fill(ones, 1);
          in.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(ones), new long[] {batch, seq}));
        } else if (name.equals("position_ids")) {
          long[] pos = new long[batch * seq];
          for (int i = 0; i < pos.length; i++) {
            pos[i] = i % seq;
          }
          in.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {batch, seq}));
        } else if (name.startsWith("past_key_values")) {
          long[] shape = info.getShape().clone();
          shape[0] = batch;
          shape[2] = 0; // empty cache: a prefill
          in.put(name, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape));
        } else {
          throw new IllegalArgumentException("don't know how to feed input '" + name + "' " + info
              + " (known: input_ids, attention_mask, position_ids, past_key_values.*)");
        }
      }
    } catch (OrtException | RuntimeException ex) {
      in.values().forEach(OnnxTensor::close);
      throw ex;
    }
    return in;
  }
}

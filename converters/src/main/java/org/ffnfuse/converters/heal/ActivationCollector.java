package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.logging.Logger;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.heal.ChainBoundaries;
import org.ffnfuse.graph.heal.ChainBoundary;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;
import org.ffnfuse.graph.pass.ExposeValues;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/**
 * Collects each chain's input and output residual stream ({@link ChainSamples}) from the original, unfused model on
 * ONNX Runtime: the model's graph is recognized, the chains' boundary values ({@link ChainBoundaries}) are made extra
 * graph outputs ({@link ExposeValues}), the instrumented copy is written to a temporary folder, and windows of tokens
 * are run through it one at a time until the requested number of token vectors is kept.
 *
 * <p>Memory is bounded by the result: {@code 2 · chains · maxTokens · hidden · 4} bytes plus one window's outputs.
 * Position 0 of a window that starts with BOS sees the same context in every window, so it is kept from the first
 * window only.
 */
public final class ActivationCollector {
  private static final Logger LOG = Logger.getLogger(ActivationCollector.class.getName());
  private static final String PREFIX = "ffnfuse_heal.";

  private ActivationCollector() {}

  /**
   * Runs {@code windows} through {@code onnx} and keeps up to {@code maxTokens} token vectors per chain.
   *
   * @param chains chains by block index of this model
   * @param bosFirst whether every window starts with BOS (then position 0 is kept once)
   * @param threads ONNX Runtime intra-op threads (0: its choice)
   * @param progress called with the number of tokens kept so far
   * @return one entry per chain, in order, with the widths of the chain's FFNs
   * @throws ModelFormatException if the model's graph is not a recognized transformer
   * @throws IllegalArgumentException if a chain does not apply to the model
   */
  public static CollectedChains collect(Path onnx, List<ChainRange> chains, long[][] windows, boolean bosFirst,
      int maxTokens, int threads, IntConsumer progress) throws IOException, OrtException {
    checkArgument(!chains.isEmpty(), "no chains");
    checkArgument(maxTokens > 0, "max tokens %s", maxTokens);
    checkArgument(windows.length > 0, "no windows");
    Path dir = Files.createTempDirectory("ffnfuse-heal-");
    try {
      Path instrumented = dir.resolve("collect.onnx");
      List<String[]> names;
      List<List<Long>> widths = new ArrayList<>();
      int hidden;
      int blocks;
      try (OnnxModel model = OnnxModel.open(onnx)) {
        Graph g;
        TransformerStructure s;
        try {
          g = Graph.of(model.proto(), model::initializer);
          s = TransformerStructure.recognize(g);
        } catch (InvalidGraphException | UnrecognizedGraphException e) {
          throw new ModelFormatException(onnx, "cannot find the transformer blocks to collect activations from: "
              + e.getMessage(), e);
        }
        hidden = Math.toIntExact(s.hidden());
        blocks = s.blocks().size();
        List<ChainBoundary> bounds = ChainBoundaries.of(s, chains);
        Map<String, String> expose = new LinkedHashMap<>();
        names = new ArrayList<>();
        for (ChainBoundary b : bounds) {
          List<Long> w = new ArrayList<>();
          for (int i = b.chain().first(); i <= b.chain().last(); i++) {
            w.add(s.block(i).ffn().orElseThrow().ffn().width());
          }
          widths.add(w);
          String in = expose.computeIfAbsent(b.input(), v -> PREFIX + expose.size());
          String out = expose.computeIfAbsent(b.output(), v -> PREFIX + expose.size());
          names.add(new String[] {in, out});
        }
        ExportedModel e = ExposeValues.of(expose).run(g).graph().export();
        Map<String, Tensor> data = new HashMap<>();
        for (var t : e.model().getGraph().getInitializerList()) {
          if (model.isExternal(t.getName())) {
            data.put(t.getName(), model.initializer(t.getName()));
          }
        }
        OnnxModelWriter.write(e.model(), data, instrumented);
      }
      return new CollectedChains(run(instrumented, names, hidden, windows, bosFirst, maxTokens, threads, progress),
          widths, blocks);
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }

  private static List<ChainSamples> run(Path model, List<String[]> names, int hidden, long[][] windows,
      boolean bosFirst, int maxTokens, int threads, IntConsumer progress) throws OrtException {
    int chains = names.size();
    float[][] xs = new float[chains][];
    float[][] ys = new float[chains][];
    int capacity = Math.min(maxTokens, windows.length * windows[0].length);
    for (int c = 0; c < chains; c++) {
      xs[c] = new float[capacity * hidden];
      ys[c] = new float[capacity * hidden];
    }
    Set<String> wanted = new LinkedHashSet<>();
    names.forEach(n -> wanted.addAll(List.of(n)));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int kept = 0;
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), o)) {
        for (int w = 0; w < windows.length && kept < capacity; w++) {
          Map<String, float[]> out = runWindow(env, session, windows[w], wanted);
          int first = bosFirst && w > 0 ? 1 : 0;
          int take = Math.min(windows[w].length - first, capacity - kept);
          for (int c = 0; c < chains; c++) {
            System.arraycopy(out.get(names.get(c)[0]), first * hidden, xs[c], kept * hidden, take * hidden);
            System.arraycopy(out.get(names.get(c)[1]), first * hidden, ys[c], kept * hidden, take * hidden);
          }
          kept += take;
          progress.accept(kept);
        }
      }
    }
    final int n = kept;
    LOG.fine(() -> "collected " + n + " token vectors for " + chains + " chain(s)");
    List<ChainSamples> result = new ArrayList<>();
    for (int c = 0; c < chains; c++) {
      float[] x = n == capacity ? xs[c] : java.util.Arrays.copyOf(xs[c], n * hidden);
      float[] y = n == capacity ? ys[c] : java.util.Arrays.copyOf(ys[c], n * hidden);
      result.add(ChainSamples.wrap(hidden, n, x, y));
    }
    return result;
  }

  /** The wanted outputs, as flat {@code [T·hidden]} arrays, of one window (batch 1). */
  private static Map<String, float[]> runWindow(OrtEnvironment env, OrtSession session, long[] ids,
      Set<String> wanted) throws OrtException {
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      Map<String, OnnxTensor> in = new HashMap<>();
      long[][] batch = {ids};
      long[][] ones = new long[1][ids.length];
      long[][] pos = new long[1][ids.length];
      for (int t = 0; t < ids.length; t++) {
        ones[0][t] = 1;
        pos[0][t] = t;
      }
      for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
        String name = e.getKey();
        OnnxTensor t;
        if (name.equals("input_ids")) {
          t = OnnxTensor.createTensor(env, batch);
        } else if (name.equals("attention_mask")) {
          t = OnnxTensor.createTensor(env, ones);
        } else if (name.equals("position_ids")) {
          t = OnnxTensor.createTensor(env, pos);
        } else if (name.startsWith("past_key_values.") && e.getValue().getInfo() instanceof TensorInfo ti
            && ti.type == OnnxJavaType.FLOAT) {
          long[] shape = ti.getShape().clone();
          shape[0] = 1;
          for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 0) {
              shape[i] = 0; // the past sequence length; heads and head size are fixed in exported models
            }
          }
          t = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
        } else {
          throw new IllegalArgumentException("the model has an input '" + name + "' that activation collection does"
              + " not know how to feed (known: input_ids, attention_mask, position_ids, past_key_values.*)");
        }
        owned.add(t);
        in.put(name, t);
      }
      Map<String, float[]> out = new HashMap<>();
      try (OrtSession.Result r = session.run(in, wanted)) {
        for (Map.Entry<String, OnnxValue> e : r) {
          FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
          float[] v = new float[fb.remaining()];
          fb.get(v);
          checkArgument(v.length % ids.length == 0, "output %s has %s values for %s tokens", e.getKey(), v.length,
              ids.length);
          out.put(e.getKey(), v);
        }
      }
      return out;
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }
}

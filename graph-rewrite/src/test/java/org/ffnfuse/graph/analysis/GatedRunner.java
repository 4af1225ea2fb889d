package org.ffnfuse.graph.analysis;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;

/**
 * Test helper: writes graphs read from ONNX files back to disk (external data from the source model) and runs them on
 * ONNX Runtime (CPU, one thread), feeding {@code input_ids}, an all-ones {@code attention_mask}, {@code position_ids}
 * when declared, and the analysis gates when declared.
 */
final class GatedRunner implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  private GatedRunner(OrtSession session) {
    this.session = session;
  }

  /** Writes {@code g} (read from {@code source}) to {@code out} with all its data. */
  static Path write(Graph g, OnnxModel source, Path out) throws IOException {
    ExportedModel e = g.export();
    Map<String, Tensor> data = new HashMap<>(e.newTensors());
    for (var t : e.model().getGraph().getInitializerList()) {
      if (!data.containsKey(t.getName()) && source.isExternal(t.getName())) {
        data.put(t.getName(), source.initializer(t.getName()));
      }
    }
    OnnxModelWriter.write(e.model(), data, out);
    return out;
  }

  static GatedRunner open(Path model) throws OrtException {
    return open(model, true);
  }

  /** With {@code optimize} false, ONNX Runtime runs the graph's own nodes (no fusions), in their order. */
  static GatedRunner open(Path model, boolean optimize) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      if (!optimize) {
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      }
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
      return new GatedRunner(env.createSession(model.toString(), o));
    }
  }

  /** Every float output {@code [B][T][X]} for {@code ids}, with {@code gates} if the model takes them. */
  Map<String, float[][][]> run(long[][] ids, float[] gates) throws OrtException {
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    try {
      in.put("input_ids", OnnxTensor.createTensor(env, ids));
      long[][] ones = new long[ids.length][ids[0].length];
      long[][] pos = new long[ids.length][ids[0].length];
      for (int b = 0; b < ids.length; b++) {
        for (int t = 0; t < ids[0].length; t++) {
          ones[b][t] = 1;
          pos[b][t] = t;
        }
      }
      if (session.getInputNames().contains("attention_mask")) {
        in.put("attention_mask", OnnxTensor.createTensor(env, ones));
      }
      if (session.getInputNames().contains("position_ids")) {
        in.put("position_ids", OnnxTensor.createTensor(env, pos));
      }
      if (session.getInputNames().contains(AnalysisGraph.GATES_INPUT)) {
        in.put(AnalysisGraph.GATES_INPUT, OnnxTensor.createTensor(env, FloatBuffer.wrap(gates),
            new long[] {gates.length}));
      }
      Map<String, float[][][]> out = new LinkedHashMap<>();
      try (OrtSession.Result r = session.run(in)) {
        for (Map.Entry<String, OnnxValue> e : r) {
          if (e.getValue().getValue() instanceof float[][][] f) {
            out.put(e.getKey(), f);
          }
        }
      }
      return out;
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  java.util.Set<String> inputNames() throws OrtException {
    return session.getInputNames();
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}

package org.ffnfuse.formats.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a causal LM exported to ONNX on ONNX Runtime (CPU, one thread, so runs are deterministic) and returns its
 * logits. Feeds {@code input_ids} int64 {@code [batch, seq]} and, when the model declares them, {@code attention_mask}
 * (ones) and {@code position_ids} ({@code 0..seq-1}); any other input is an error. The session is created from the file
 * path, so external data resolves relative to the model's folder.
 *
 * <p>Test-only; shared with graph-rewrite and converters tests through the formats test-jar.
 */
public final class OrtRunner implements AutoCloseable {
  private static final Set<String> KNOWN_INPUTS = Set.of("input_ids", "attention_mask", "position_ids");

  private final Path model;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String logitsName;
  private boolean closed;

  private OrtRunner(Path model, OrtEnvironment env, OrtSession session, String logitsName) {
    this.model = model;
    this.env = env;
    this.session = session;
    this.logitsName = logitsName;
  }

  /** Opens a session on {@code modelFile}; the logits output is {@code logits}, else the first output. */
  public static OrtRunner open(Path modelFile) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      OrtSession session = env.createSession(modelFile.toString(), options);
      try {
        for (String in : session.getInputNames()) {
          checkArgument(KNOWN_INPUTS.contains(in), "%s: input '%s' is not one of %s (KV-cache models need their own"
              + " runner)", modelFile, in, KNOWN_INPUTS);
        }
        checkArgument(session.getInputNames().contains("input_ids"), "%s has no input_ids input", modelFile);
        Set<String> outs = session.getOutputNames();
        String logits = outs.contains("logits") ? "logits" : outs.iterator().next();
        return new OrtRunner(modelFile, env, session, logits);
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    }
  }

  /** Input names the model declares. */
  public List<String> inputNames() {
    checkState(!closed, "closed");
    return List.copyOf(session.getInputNames());
  }

  /** Input metadata (name → type and shape). */
  public Map<String, NodeInfo> inputInfo() throws OrtException {
    checkState(!closed, "closed");
    return session.getInputInfo();
  }

  /** Logits {@code [batch][seq][vocab]} for {@code inputIds [batch][seq]} (rows of equal length). */
  public float[][][] logits(long[][] inputIds) throws OrtException {
    checkState(!closed, "closed");
    checkArgument(inputIds.length > 0 && inputIds[0].length > 0, "empty input");
    int batch = inputIds.length;
    int seq = inputIds[0].length;
    for (long[] row : inputIds) {
      checkArgument(row.length == seq, "rows of different lengths");
    }
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, inputIds));
      if (session.getInputNames().contains("attention_mask")) {
        long[][] mask = new long[batch][seq];
        for (long[] row : mask) {
          java.util.Arrays.fill(row, 1L);
        }
        inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
      }
      if (session.getInputNames().contains("position_ids")) {
        long[][] pos = new long[batch][seq];
        for (long[] row : pos) {
          for (int i = 0; i < seq; i++) {
            row[i] = i;
          }
        }
        inputs.put("position_ids", OnnxTensor.createTensor(env, pos));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(logitsName))) {
        OnnxValue v = result.get(logitsName).orElseThrow();
        Object value = v.getValue();
        checkState(value instanceof float[][][], "%s: output %s is not float [batch, seq, vocab] but %s", model,
            logitsName, v.getInfo());
        return (float[][][]) value;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** The last position's logits {@code [batch][vocab]}. */
  public float[][] lastLogits(long[][] inputIds) throws OrtException {
    float[][][] all = logits(inputIds);
    float[][] last = new float[all.length][];
    for (int b = 0; b < all.length; b++) {
      last[b] = all[b][all[b].length - 1];
    }
    return last;
  }

  /** Runs {@code modelFile} once and returns its logits {@code [batch][seq][vocab]}. */
  public static float[][][] run(Path modelFile, long[][] inputIds) throws OrtException {
    try (OrtRunner r = open(modelFile)) {
      return r.logits(inputIds);
    }
  }

  /** Largest |a - b| over all elements; the arrays must have equal shapes. */
  public static double maxAbsDiff(float[][][] a, float[][][] b) {
    checkArgument(a.length == b.length, "batch %s vs %s", a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, maxAbsDiff(a[i], b[i]));
    }
    return max;
  }

  /** Largest |a - b| over all elements; the arrays must have equal shapes. */
  public static double maxAbsDiff(float[][] a, float[][] b) {
    checkArgument(a.length == b.length, "rows %s vs %s", a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      checkArgument(a[i].length == b[i].length, "row %s: %s vs %s values", i, a[i].length, b[i].length);
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs((double) a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  @Override
  public void close() throws OrtException {
    if (!closed) {
      closed = true;
      session.close();
    }
  }
}

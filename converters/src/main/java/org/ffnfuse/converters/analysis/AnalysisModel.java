package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ffnfuse.converters.eval.OrtErrors;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.analysis.AnalysisGraph;
import org.ffnfuse.graph.analysis.BranchKind;
import org.ffnfuse.graph.analysis.BranchOutput;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/**
 * A model's {@link AnalysisGraph} on ONNX Runtime (CPU): the instrumented graph is written to a temporary folder
 * (with a copy of the weights; {@link #close()} deletes it) and one session serves every gate setting. Counts its
 * forward passes. Feeds {@code input_ids}, an all-ones {@code attention_mask}, {@code position_ids} when declared and
 * empty KV caches when declared. {@link #close()} is idempotent; use after close throws {@link IllegalStateException}.
 */
public final class AnalysisModel implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Path tempDir;
  private final AnalysisGraph graph;
  private final Map<String, long[]> pastShapes;
  private long passes;
  private boolean closed;

  /**
   * One forward pass's outputs, flat row-major. The arrays are fresh for every pass and nothing else holds them, so
   * they are handed over without copies (the caller may modify them).
   */
  public static final class Outputs {
    private final int batch;
    private final int tokens;
    private final float[] logits;
    private final Map<String, float[]> branches;
    private final float[] embedding;

    Outputs(int batch, int tokens, float[] logits, Map<String, float[]> branches, float[] embedding) {
      this.batch = batch;
      this.tokens = tokens;
      this.logits = logits;
      this.branches = java.util.Collections.unmodifiableMap(branches);
      this.embedding = embedding;
    }

    /** Windows in the batch. */
    public int batch() {
      return batch;
    }

    /** Tokens per window. */
    public int tokens() {
      return tokens;
    }

    /** Logits {@code [batch·tokens·vocab]}, or empty if not requested. */
    public float[] logits() {
      return logits;
    }

    /** Branch outputs {@code [batch·tokens·hidden]} by output name (only the requested ones). */
    public Map<String, float[]> branches() {
      return branches;
    }

    /** The residual stream's start {@code [batch·tokens·hidden]}, or empty if not requested. */
    public float[] embedding() {
      return embedding;
    }
  }

  private AnalysisModel(OrtEnvironment env, OrtSession session, Path tempDir, AnalysisGraph graph,
      Map<String, long[]> pastShapes) {
    this.env = env;
    this.session = session;
    this.tempDir = tempDir;
    this.graph = graph;
    this.pastShapes = pastShapes;
  }

  /**
   * Builds the analysis graph of {@code onnx} and opens it with {@code threads} intra-op threads (0: ORT's choice).
   *
   * @throws ModelFormatException if the graph is invalid or not a recognized transformer (naming the node)
   */
  public static AnalysisModel open(Path onnx, int threads) throws IOException, OrtException {
    checkArgument(threads >= 0, "threads %s", threads);
    AnalysisGraph a;
    Path dir = Files.createTempDirectory("ffnfuse-analysis-");
    try {
      try (OnnxModel m = OnnxModel.open(onnx)) {
        Graph g;
        try {
          g = Graph.of(m.proto(), m::initializer);
          a = AnalysisGraph.build(g, TransformerStructure.recognize(g));
        } catch (InvalidGraphException | UnrecognizedGraphException e) {
          throw new ModelFormatException(onnx, e.getMessage(), e);
        }
        write(a.graph().export(), m, dir.resolve("analysis.onnx"));
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        OrtSession s = session(env, onnx, dir.resolve("analysis.onnx"), o);
        Map<String, long[]> past = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
          if (e.getKey().startsWith("past_key_values.")) {
            past.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
          }
        }
        return new AnalysisModel(env, s, dir, a, past);
      }
    } catch (IOException | OrtException | RuntimeException e) {
      try {
        AtomicFiles.deleteTree(dir);
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  private static void write(ExportedModel e, OnnxModel source, Path out) throws IOException {
    Map<String, Tensor> data = new HashMap<>(e.newTensors());
    for (var t : e.model().getGraph().getInitializerList()) {
      if (!data.containsKey(t.getName()) && source.isExternal(t.getName())) {
        data.put(t.getName(), source.initializer(t.getName()));
      }
    }
    OnnxModelWriter.write(e.model(), data, out);
  }

  /** The instrumented graph (block count, branches). */
  public AnalysisGraph graph() {
    return graph;
  }

  /** Number of blocks. */
  public int blocks() {
    return graph.blockCount();
  }

  /** Whether block {@code block} has a branch of kind {@code kind}. */
  public boolean has(int block, BranchKind kind) {
    return graph.branch(block, kind).isPresent();
  }

  /** Whether block {@code block} has a parallel residual (both branches read the block's input). */
  public boolean parallelResidual(int block) {
    return graph.parallelResidual(block);
  }

  /** Forward passes run so far (one per {@link #run} call, whatever the batch size). */
  public long passes() {
    checkState(!closed, "closed");
    return passes;
  }

  /** Gates of 1 for every branch. */
  public float[] intactGates() {
    float[] g = new float[graph.gateCount()];
    java.util.Arrays.fill(g, 1f);
    return g;
  }

  /**
   * One forward pass of {@code ids [batch][tokens]} with {@code gates}.
   *
   * @param wantLogits whether to return the logits
   * @param branches which branch outputs to return
   * @param wantEmbedding whether to return the stream's start
   */
  public Outputs run(long[][] ids, float[] gates, boolean wantLogits, List<BranchOutput> branches,
      boolean wantEmbedding) throws OrtException {
    checkState(!closed, "closed");
    checkArgument(gates.length == graph.gateCount(), "%s gates for %s branches slots", gates.length,
        graph.gateCount());
    int b = ids.length;
    int t = ids[0].length;
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      Map<String, OnnxTensor> in = new HashMap<>();
      in.put("input_ids", own(owned, OnnxTensor.createTensor(env, longs(ids, b, t), new long[] {b, t})));
      Set<String> names = session.getInputNames();
      if (names.contains("attention_mask")) {
        long[][] mask = new long[b][t];
        for (long[] row : mask) {
          java.util.Arrays.fill(row, 1);
        }
        in.put("attention_mask", own(owned, OnnxTensor.createTensor(env, longs(mask, b, t), new long[] {b, t})));
      }
      if (names.contains("position_ids")) {
        long[][] pos = new long[b][t];
        for (long[] row : pos) {
          for (int i = 0; i < t; i++) {
            row[i] = i;
          }
        }
        in.put("position_ids", own(owned, OnnxTensor.createTensor(env, longs(pos, b, t), new long[] {b, t})));
      }
      for (Map.Entry<String, long[]> e : pastShapes.entrySet()) {
        long[] s = e.getValue().clone();
        s[0] = b;
        s[2] = 0;
        in.put(e.getKey(), own(owned, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), s)));
      }
      in.put(AnalysisGraph.GATES_INPUT, own(owned, OnnxTensor.createTensor(env, FloatBuffer.wrap(gates),
          new long[] {gates.length})));
      Set<String> want = new java.util.LinkedHashSet<>();
      if (wantLogits) {
        want.add(graph.logitsOutput());
      }
      branches.forEach(x -> want.add(x.output()));
      if (wantEmbedding) {
        want.add(AnalysisGraph.EMBEDDING_OUTPUT);
      }
      checkArgument(!want.isEmpty(), "no outputs requested");
      passes++;
      try (OrtSession.Result r = session.run(in, want)) {
        float[] logits = wantLogits ? floats(r, graph.logitsOutput()) : new float[0];
        Map<String, float[]> out = new LinkedHashMap<>();
        for (BranchOutput x : branches) {
          out.put(x.output(), floats(r, x.output()));
        }
        float[] emb = wantEmbedding ? floats(r, AnalysisGraph.EMBEDDING_OUTPUT) : new float[0];
        return new Outputs(b, t, logits, out, emb);
      }
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  /** A session on {@code analysisFile}, built from {@code onnx}; ONNX Runtime's failures name {@code onnx}. */
  private static OrtSession session(OrtEnvironment env, Path onnx, Path analysisFile, OrtSession.SessionOptions o)
      throws OrtException {
    try {
      return env.createSession(analysisFile.toString(), o);
    } catch (OrtException e) {
      throw OrtErrors.naming(onnx, e);
    }
  }

  private static float[] floats(OrtSession.Result r, String name) {
    OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow();
    FloatBuffer fb = t.getFloatBuffer();
    float[] a = new float[fb.remaining()];
    fb.get(a);
    return a;
  }

  private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
    owned.add(t);
    return t;
  }

  private static LongBuffer longs(long[][] rows, int b, int t) {
    LongBuffer buf = LongBuffer.allocate(b * t);
    for (long[] r : rows) {
      checkArgument(r.length == t, "windows of different lengths");
      buf.put(r);
    }
    return buf.flip();
  }

  @Override
  public void close() throws IOException, OrtException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } finally {
      AtomicFiles.deleteTree(tempDir);
    }
  }
}

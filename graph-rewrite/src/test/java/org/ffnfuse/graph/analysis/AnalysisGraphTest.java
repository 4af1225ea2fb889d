package org.ffnfuse.graph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The analysis graph on both exporters' graphs, run on ONNX Runtime against the original and against removal. */
class AnalysisGraphTest {
  @TempDir Path tmp;

  static Stream<String> bundled() {
    return Stream.of("random/llama/model.dynamo.onnx", "random/llama/model.torchscript.onnx",
        "random/qwen2/model.dynamo.onnx", "random/qwen2/model.torchscript.onnx", "random/gemma/model.dynamo.onnx",
        "random/gemma/model.torchscript.onnx", "random/phi3/model.dynamo.onnx", "random/phi3/model.torchscript.onnx",
        "random/gpt2/model.dynamo.onnx", "random/gpt2/model.torchscript.onnx", "stories260k/model.onnx");
  }

  static Path fixture(String file) {
    int slash = file.lastIndexOf('/');
    return Fixtures.bundled(file.substring(0, slash)).resolve(file.substring(slash + 1));
  }

  static long[][] ids(Path modelFile) {
    Fixtures.Reference ref = Fixtures.reference(modelFile.getParent());
    return ref.inputIdsBatch();
  }

  static float[] ones(int n) {
    float[] g = new float[n];
    Arrays.fill(g, 1f);
    return g;
  }

  /** Runs the analysis graph of {@code file} with {@code gates}. */
  Map<String, float[][][]> runAnalysis(Path file, long[][] ids, float[] gates) throws Exception {
    return runAnalysis(file, ids, gates, true);
  }

  Map<String, float[][][]> runAnalysis(Path file, long[][] ids, float[] gates, boolean optimize) throws Exception {
    try (OnnxModel m = OnnxModel.open(file)) {
      Graph g = Graph.of(m.proto(), m::initializer);
      AnalysisGraph a = AnalysisGraph.build(g, TransformerStructure.recognize(g));
      Path out = GatedRunner.write(a.graph(), m, tmp.resolve("analysis.onnx"));
      try (GatedRunner r = GatedRunner.open(out, optimize)) {
        return r.run(ids, gates);
      }
    }
  }

  /** Logits of {@code file} with the given branches removed. */
  float[][][] runRemoved(Path file, long[][] ids, Set<Integer> attention, Set<Integer> ffn) throws Exception {
    try (OnnxModel m = OnnxModel.open(file)) {
      Graph g = Graph.of(m.proto(), m::initializer);
      BranchRemoval.Result r = BranchRemoval.remove(g, TransformerStructure.recognize(g), attention, ffn);
      Path out = GatedRunner.write(r.graph(), m, tmp.resolve("removed.onnx"));
      try (GatedRunner run = GatedRunner.open(out)) {
        return run.run(ids, new float[0]).get("logits");
      }
    }
  }

  static float[][][] sumOfBranches(Map<String, float[][][]> out, int blocks) {
    float[][][] s = copy(out.get(AnalysisGraph.EMBEDDING_OUTPUT));
    for (int i = 0; i < blocks; i++) {
      for (BranchKind k : BranchKind.values()) {
        float[][][] b = out.get(BranchOutput.outputName(i, k));
        if (b != null) {
          for (int x = 0; x < s.length; x++) {
            for (int y = 0; y < s[x].length; y++) {
              for (int z = 0; z < s[x][y].length; z++) {
                s[x][y][z] += b[x][y][z];
              }
            }
          }
        }
      }
    }
    return s;
  }

  static float[][][] copy(float[][][] a) {
    float[][][] c = new float[a.length][][];
    for (int i = 0; i < a.length; i++) {
      c[i] = new float[a[i].length][];
      for (int j = 0; j < a[i].length; j++) {
        c[i][j] = a[i][j].clone();
      }
    }
    return c;
  }

  @Nested
  class Build {
    @ParameterizedTest
    @MethodSource("org.ffnfuse.graph.analysis.AnalysisGraphTest#bundled")
    void build_gatesOne_logitsEqualOriginal(String file) throws Exception {
      Path p = fixture(file);
      long[][] ids = ids(p);
      int blocks;
      try (OnnxModel m = OnnxModel.open(p)) {
        blocks = TransformerStructure.recognize(Graph.of(m.proto(), m::initializer)).blocks().size();
      }
      // Without graph optimizations ONNX Runtime runs the same kernels in the same order: ×1.0f is exact.
      float[][][] plain;
      try (GatedRunner r = GatedRunner.open(p, false)) {
        plain = r.run(ids, new float[0]).get("logits");
      }
      assertEquals(0.0, OrtRunner.maxAbsDiff(plain, runAnalysis(p, ids, ones(2 * blocks), false).get("logits")),
          "gates of 1 change nothing");
      // With its default optimizations ORT fuses a little differently around the inserted Mul (GPT-2: 3e-7).
      float[][][] original = OrtRunner.run(p, ids);
      Map<String, float[][][]> out = runAnalysis(p, ids, ones(2 * blocks));
      assertTrue(OrtRunner.maxAbsDiff(original, out.get("logits")) < 1e-5, "optimized sessions agree");
      // The stream is the embedding plus every branch output: the analysis reads contributions from the outputs.
      float[][][] stream = sumOfBranches(out, blocks);
      assertTrue(OrtRunner.maxAbsDiff(stream, out.get(AnalysisGraph.FINAL_STREAM_OUTPUT)) < 1e-4,
          "embedding + branches = final stream");
    }

    @Test
    void build_llama_declaresGatesAndOneOutputPerBranch() throws Exception {
      try (OnnxModel m = OnnxModel.open(fixture("random/llama/model.dynamo.onnx"))) {
        Graph g = Graph.of(m.proto(), m::initializer);
        AnalysisGraph a = AnalysisGraph.build(g, TransformerStructure.recognize(g));
        assertEquals(4, a.blockCount());
        assertEquals(8, a.gateCount());
        assertEquals(8, a.branches().size());
        assertTrue(a.graph().inputs().contains(AnalysisGraph.GATES_INPUT));
        assertEquals("ffnfuse_branch.2.ffn", a.branch(2, BranchKind.FFN).orElseThrow().output());
        assertEquals(5, a.branch(2, BranchKind.FFN).orElseThrow().gateIndex());
        for (BranchOutput b : a.branches()) {
          assertTrue(a.graph().outputs().contains(b.output()), b.output());
          assertEquals("Mul", a.graph().producer(b.value()).orElseThrow().opType(), "gated " + b.value());
        }
        assertEquals(List.of("logits"), g.outputs(), "the input graph is unchanged");
        assertThrows(IllegalArgumentException.class, () -> AnalysisGraph.build(a.graph(),
            TransformerStructure.recognize(g)), "a graph already instrumented is refused");
      }
    }
  }

  @Nested
  class Removal {
    @ParameterizedTest
    @ValueSource(strings = {"random/llama/model.dynamo.onnx", "random/llama/model.torchscript.onnx",
        "random/gpt2/model.dynamo.onnx", "random/phi3/model.torchscript.onnx", "stories260k/model.onnx"})
    void remove_attention_equalsGateZero(String file) throws Exception {
      Path p = fixture(file);
      long[][] ids = ids(p);
      float[] gates = ones(p.toString().contains("stories") ? 10 : 8);
      gates[BranchKind.ATTENTION.gateIndex(1)] = 0;
      float[][][] gated = runAnalysis(p, ids, gates).get("logits");
      float[][][] removed = runRemoved(p, ids, Set.of(1), Set.of());
      assertTrue(OrtRunner.maxAbsDiff(gated, removed) < 1e-4, "gate 0 = removal");
      assertTrue(OrtRunner.maxAbsDiff(gated, OrtRunner.run(p, ids)) > 1e-3, "removal changes the logits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"random/llama/model.dynamo.onnx", "random/gemma/model.torchscript.onnx"})
    void remove_ffnAndBothBranchesOfABlock_equalsGateZero(String file) throws Exception {
      Path p = fixture(file);
      long[][] ids = ids(p);
      float[] gates = ones(8);
      gates[BranchKind.FFN.gateIndex(0)] = 0;
      gates[BranchKind.ATTENTION.gateIndex(2)] = 0;
      gates[BranchKind.FFN.gateIndex(2)] = 0;
      float[][][] gated = runAnalysis(p, ids, gates).get("logits");
      float[][][] removed = runRemoved(p, ids, Set.of(2), Set.of(0, 2));
      assertTrue(OrtRunner.maxAbsDiff(gated, removed) < 1e-4, "gate 0 = removal");
    }

    @Test
    void remove_attention_dropsItsWeights() throws Exception {
      try (OnnxModel m = OnnxModel.open(fixture("random/llama/model.dynamo.onnx"))) {
        Graph g = Graph.of(m.proto(), m::initializer);
        TransformerStructure s = TransformerStructure.recognize(g);
        BranchRemoval.Result r = BranchRemoval.remove(g, s, Set.of(0, 1, 2, 3), Set.of());
        assertEquals(Set.of(0, 1, 2, 3), r.attentionRemoved());
        TransformerStructure after = TransformerStructure.recognize(r.graph());
        assertTrue(after.blocks().stream().allMatch(b -> b.attention().isEmpty()), "no attention left");
        assertEquals(4, after.blocks().size());
        assertTrue(r.graph().initializers().size() < g.initializers().size(), "q/k/v/o weights dropped");
        assertTrue(r.graph().inputs().contains("attention_mask"), "interface inputs other than caches stay");
      }
    }

    @Test
    void remove_outOfRangeBlock_throws() throws Exception {
      try (OnnxModel m = OnnxModel.open(fixture("random/llama/model.dynamo.onnx"))) {
        Graph g = Graph.of(m.proto(), m::initializer);
        TransformerStructure s = TransformerStructure.recognize(g);
        assertThrows(IllegalArgumentException.class, () -> BranchRemoval.remove(g, s, Set.of(4), Set.of()));
      }
    }

    @Test
    void pass_attentionRemoval_reportsBlocks() throws Exception {
      try (OnnxModel m = OnnxModel.open(fixture("random/qwen2/model.dynamo.onnx"))) {
        Graph g = Graph.of(m.proto(), m::initializer);
        var result = AttentionRemovalPass.of(Set.of(1, 2)).run(g);
        assertTrue(result.report().contains("[1, 2]"), result.report());
        assertEquals(List.of(new org.ffnfuse.graph.structure.Chain(0, 2)),
            TransformerStructure.recognize(result.graph()).chains().stream().filter(c -> c.first() == 0).toList(),
            "blocks 1, 2 without attention: FFNs 0..2 form a chain");
      }
    }
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class Acceptance {
    @ParameterizedTest
    @ValueSource(strings = {"nas-austen-16l-onnx-dynamo", "nas-austen-16l-onnx-torchscript", "llama-austen-16l-onnx"})
    void build_realGraphs_gatesOneExactAndGateZeroEqualsRemoval(String dir) throws Exception {
      Path p = Fixtures.shared(dir).resolve("model.onnx");
      long[][] ids = {Fixtures.reference(p.getParent()).inputIds()};
      float[] gates = ones(32);
      assertEquals(0.0, OrtRunner.maxAbsDiff(OrtRunner.run(p, ids), runAnalysis(p, ids, gates).get("logits")));
      gates[BranchKind.ATTENTION.gateIndex(3)] = 0;
      float[][][] gated = runAnalysis(p, ids, gates).get("logits");
      assertTrue(OrtRunner.maxAbsDiff(gated, runRemoved(p, ids, Set.of(3), Set.of())) < 1e-4);
    }
  }
}

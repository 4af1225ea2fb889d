package org.ffnfuse.graph.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.ffnfuse.graph.analysis.AttentionRemovalPass;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pass.PassManager;
import org.ffnfuse.graph.structure.Chain;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.testing.OnnxFiles;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FFN Fusion on real exporter graphs, run on ONNX Runtime: the fused model against the parallel form built by rewiring
 * only ({@link ParallelFormPass}), the untouched rest of the graph byte for byte, and the drift from the sequential
 * model (logged, not hidden).
 */
class FfnFusionPassTest {
  private static final double EXACT = 1e-4;

  static Stream<Arguments> randomModels() {
    return Stream.of("llama", "qwen2", "gemma", "phi3", "gpt2").flatMap(m -> Stream.of("dynamo", "torchscript")
        .flatMap(e -> Stream.of("0-3", "1-3").map(c -> Arguments.of(m, e, c))));
  }

  /** Logits of {@code g} on the fixture's reference ids. */
  static float[][][] logits(Graph g, OnnxFiles.Opened source, Path dir, String name, long[][] ids) throws Exception {
    return OrtRunner.run(OnnxFiles.write(g, source.model(), dir.resolve(name + ".onnx")), ids);
  }

  @Nested
  class Exactness {
    @ParameterizedTest(name = "{0} {1} chain {2}")
    @MethodSource("org.ffnfuse.graph.fusion.FfnFusionPassTest#randomModels")
    void fuse_randomModelWithoutAttentionInOneToThree_equalsParallelForm(String model, String exporter,
        String chain, @TempDir Path tmp) throws Exception {
      Path dir = Fixtures.bundled("random/" + model);
      long[][] ids = Fixtures.reference(dir).inputIdsBatch();
      try (OnnxFiles.Opened in = OnnxFiles.open(dir.resolve("model." + exporter + ".onnx"))) {
        Graph sequential = AttentionRemovalPass.of(Set.of(1, 2, 3)).run(in.graph()).graph();
        assertExact(model + " " + exporter, sequential, FusionPlan.parse(chain), in, tmp, ids);
      }
    }

    @Test
    void fuse_stories260kWithoutAttentionInOneToFour_equalsParallelForm(@TempDir Path tmp) throws Exception {
      Path dir = Fixtures.bundled("stories260k");
      long[][] ids = {Fixtures.reference(dir).inputIds()};
      try (OnnxFiles.Opened in = OnnxFiles.open(dir.resolve("model.onnx"))) {
        Graph sequential = AttentionRemovalPass.of(Set.of(1, 2, 3, 4)).run(in.graph()).graph();
        assertExact("stories260k", sequential, FusionPlan.parse("0-4"), in, tmp, ids);
      }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.ffnfuse.graph.fusion.FfnFusionPassTest#singleFfnCases")
    void fuse_singleFfn_isTheIdentity(String fixture, String file, @TempDir Path tmp) throws Exception {
      Path dir = Fixtures.bundled(fixture);
      long[][] ids = Fixtures.reference(dir).inputIdsBatch();
      try (OnnxFiles.Opened in = OnnxFiles.open(dir.resolve(file))) {
        Graph fused = FfnFusionPass.of(FusionPlan.parse("2"), FfnFusionPass.Options.defaults()).run(in.graph())
            .graph();
        double d = OrtRunner.maxAbsDiff(logits(in.graph(), in, tmp, "original", ids),
            logits(fused, in, tmp, "fused", ids));
        System.err.printf("[measure] %s %s single FFN 2 fused: max |Δlogit| vs original %.2g%n", fixture, file, d);
        assertTrue(d <= 1e-5, "fusing one FFN changed the logits by " + d);
      }
    }
  }

  static Stream<Arguments> singleFfnCases() {
    return Stream.of(Arguments.of("random/llama", "model.dynamo.onnx"), Arguments.of("random/gpt2",
        "model.torchscript.onnx"), Arguments.of("random/gemma", "model.dynamo.onnx"),
        Arguments.of("random/phi3", "model.torchscript.onnx"));
  }

  /** Fused (function and inline) vs parallel within 1e-4; drift from sequential logged; the rest byte-identical. */
  static void assertExact(String what, Graph sequential, FusionPlan plan, OnnxFiles.Opened in, Path tmp,
      long[][] ids) throws Exception {
    PassManager.Outcome fused = PassManager.of(FfnFusionPass.of(plan, FfnFusionPass.Options.defaults()))
        .run(sequential);
    Graph inline = FfnFusionPass.of(plan, FfnFusionPass.Options.defaults().withInline(true)).run(sequential).graph();
    Graph parallel = ParallelFormPass.of(plan).run(sequential).graph();
    float[][][] seq = logits(sequential, in, tmp, "sequential", ids);
    float[][][] par = logits(parallel, in, tmp, "parallel", ids);
    float[][][] fus = logits(fused.graph(), in, tmp, "fused", ids);
    float[][][] inl = logits(inline, in, tmp, "inline", ids);
    double exact = OrtRunner.maxAbsDiff(fus, par);
    double drift = OrtRunner.maxAbsDiff(fus, seq);
    System.err.printf("[measure] %s chain %s: max |Δlogit| fused vs parallel form %.2g (inline %.2g), fused vs"
        + " sequential (drift) %.3g; %s%n", what, plan, exact, OrtRunner.maxAbsDiff(inl, par), drift, fused.reports());
    assertTrue(exact <= EXACT, what + ": fused differs from the parallel form by " + exact);
    assertTrue(OrtRunner.maxAbsDiff(inl, par) <= EXACT, what + ": inline fused differs from the parallel form");
    assertTrue(drift > 0, "fusing a chain of several FFNs changes the model (else the test proves nothing)");
    assertEquals(plan.chains().size(), fused.graph().nodes().stream()
        .filter(n -> n.is(FusedFfnNodes.DOMAIN, FusedFfnNodes.OP)).count(), "one FusedFFN node per chain");
    assertTrue(inline.nodes().stream().noneMatch(n -> !n.domain().isEmpty()), "inline uses standard ops only");
    assertUntouchedIdentical(sequential, fused.graph());
  }

  /**
   * Every node of {@code after} is a node of {@code before} with the same proto, or new ({@code /fused_ffn.}); every
   * initializer of {@code after} not added by the fusion has the same header and bytes; inputs and outputs the same.
   */
  static void assertUntouchedIdentical(Graph before, Graph after) throws Exception {
    Set<NodeProto> old = new HashSet<>();
    before.nodes().forEach(n -> old.add(n.proto()));
    int unitNormNodes = 0;
    for (Node n : after.nodes()) {
      if (old.contains(n.proto()) || n.name().startsWith("/fused_ffn.")) {
        continue;
      }
      // Block s's norm: same node, one input swapped for the unit gain (or zero bias).
      assertTrue(n.inputs().stream().anyMatch(i -> i.startsWith("fused_ffn.")), "changed node " + n);
      unitNormNodes++;
    }
    assertTrue(unitNormNodes >= 1 && unitNormNodes <= 4, unitNormNodes + " norm nodes changed");
    ModelProto b = before.export().model();
    ModelProto a = after.export().model();
    assertEquals(b.getGraph().getInputList(), a.getGraph().getInputList());
    assertEquals(b.getGraph().getOutputList(), a.getGraph().getOutputList());
    int kept = 0;
    for (TensorProto t : a.getGraph().getInitializerList()) {
      if (t.getName().startsWith("fused_ffn.")) {
        continue;
      }
      TensorProto o = b.getGraph().getInitializerList().stream().filter(x -> x.getName().equals(t.getName()))
          .findFirst().orElseThrow();
      assertEquals(o, t, "initializer header/proto " + t.getName());
      assertTrue(bytes(before.tensor(t.getName())).equals(bytes(after.tensor(t.getName()))), t.getName());
      kept++;
    }
    assertTrue(kept > 0);
    assertTrue(a.getGraph().getInitializerCount() < b.getGraph().getInitializerCount() + 12);
  }

  static ByteBuffer bytes(Tensor t) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.byteSize()));
    t.read(0, buf);
    return buf.flip();
  }

  @Nested
  class Rewrite {
    @Test
    void run_chainWithAttentionInside_refusedBeforeAnyWork() throws Exception {
      try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FfnFusionPass.of(FusionPlan.parse("0-2"), FfnFusionPass.Options.defaults()).run(in.graph()));
        assertTrue(e.getMessage().contains("block 1 has attention"), e.getMessage());
      }
    }

    /** random/llama without attention in 1-3, plus an Identity reading {@code value(structure)}. */
    Graph withExtraReader(OnnxFiles.Opened in, java.util.function.Function<TransformerStructure, String> value)
        throws Exception {
      Graph g = AttentionRemovalPass.of(Set.of(1, 2, 3)).run(in.graph()).graph();
      var r = g.rewriter();
      r.add(NodeProto.newBuilder().setOpType("Identity").setName("spy")
          .addInput(value.apply(TransformerStructure.recognize(g))).addOutput("spied").build());
      return r.apply();
    }

    @Test
    void run_streamInsideChainReadOutside_refusedNamingReader() throws Exception {
      try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"))) {
        Graph g = withExtraReader(in, s -> s.block(1).ffn().orElseThrow().residual().output().orElseThrow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FfnFusionPass.of(FusionPlan.parse("0-3"), FfnFusionPass.Options.defaults()).run(g));
        assertTrue(e.getMessage().contains("spy") && e.getMessage().contains("inside the chain"), e.getMessage());
        // A chain that leaves that value outside is fine.
        FfnFusionPass.of(FusionPlan.parse("2-3"), FfnFusionPass.Options.defaults()).run(g);
      }
    }

    @Test
    void run_firstNormOutputReadOutside_refused() throws Exception {
      try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"))) {
        Graph g = withExtraReader(in, s -> s.block(1).ffn().orElseThrow().norm().output());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FfnFusionPass.of(FusionPlan.parse("1-3"), FfnFusionPass.Options.defaults()).run(g));
        assertTrue(e.getMessage().contains("norm output"), e.getMessage());
      }
    }

    @Test
    void run_chainPastTheEnd_refused() throws Exception {
      try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"))) {
        Graph g = AttentionRemovalPass.of(Set.of(1, 2, 3)).run(in.graph()).graph();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FfnFusionPass.of(FusionPlan.parse("1-4"), FfnFusionPass.Options.defaults()).run(g));
        assertTrue(e.getMessage().contains("crosses the end"), e.getMessage());
      }
    }

    @Test
    void run_functionForm_oneFunctionOfStandardOpsAndOpsetImport() throws Exception {
      try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("stories260k").resolve("model.onnx"))) {
        Graph g = AttentionRemovalPass.of(Set.of(2, 3, 4)).run(in.graph()).graph();
        Graph fused = FfnFusionPass.of(FusionPlan.parse("1-4"), FfnFusionPass.Options.defaults()).run(g).graph();
        ModelProto m = fused.export().model();
        assertEquals(1, m.getFunctionsCount());
        assertEquals(FusedFfnNodes.OP, m.getFunctions(0).getName());
        assertTrue(m.getFunctions(0).getNodeList().stream().allMatch(n -> n.getDomain().isEmpty()));
        assertEquals(1, fused.opsetVersion(FusedFfnNodes.DOMAIN));
        assertTrue(m.getIrVersion() >= 8, "model-local functions need IR 8; stories260k was IR 7");
        TransformerStructure s = TransformerStructure.recognize(g);
        // Blocks 2-4's FFN weights are gone; the fused ones hold them.
        for (int b = 1; b <= 4; b++) {
          String down = s.block(b).ffn().orElseThrow().ffn().down().weight();
          assertFalse(fused.initializer(down).isPresent(), "weight " + down + " of a fused FFN removed");
        }
        assertTrue(fused.initializer(s.block(0).ffn().orElseThrow().ffn().down().weight()).isPresent());
      }
    }

    @Test
    void run_fp16Weights_castInsideFunctionAndCloseToFp32(@TempDir Path tmp) throws Exception {
      Path dir = Fixtures.bundled("random/llama");
      long[][] ids = Fixtures.reference(dir).inputIdsBatch();
      try (OnnxFiles.Opened in = OnnxFiles.open(dir.resolve("model.dynamo.onnx"))) {
        Graph g = AttentionRemovalPass.of(Set.of(1, 2, 3)).run(in.graph()).graph();
        FusionPlan plan = FusionPlan.parse("0-3");
        Graph f32 = FfnFusionPass.of(plan, FfnFusionPass.Options.defaults()).run(g).graph();
        Graph f16 = FfnFusionPass.of(plan, FfnFusionPass.Options.defaults().withWeightType(DType.F16)).run(g)
            .graph();
        assertEquals(DType.F16, f16.tensor("fused_ffn.0_3.gate_weight").dtype());
        assertTrue(f16.export().model().getFunctions(0).getNodeList().stream().anyMatch(n -> n.getOpType()
            .equals("Cast")));
        double d = OrtRunner.maxAbsDiff(logits(f32, in, tmp, "f32", ids), logits(f16, in, tmp, "f16", ids));
        assertTrue(d > 0 && d < 1e-2, "fp16 rounding of the fused weights moved logits by " + d);
      }
    }

    /** Two attention-free SwiGLU blocks with plain Add residuals whose projections are int4 MatMulNBits. */
    Graph int4Chain() {
      TinyGraph t = new TinyGraph().input("ids").output("logits").weight("emb", 40, 64).node("Gather", "emb ids -> x0");
      for (int i = 0; i < 2; i++) {
        t.weight("ln" + i, 64).node("SimplifiedLayerNormalization", "x" + i + " ln" + i + " -> n" + i);
        nbits(t, "gate" + i, "n" + i, "g" + i, 64, 96);
        nbits(t, "up" + i, "n" + i, "u" + i, 64, 96);
        t.node("Sigmoid", "g" + i + " -> sg" + i).node("Mul", "g" + i + " sg" + i + " -> a" + i)
            .node("Mul", "a" + i + " u" + i + " -> m" + i);
        nbits(t, "down" + i, "m" + i, "d" + i, 96, 64);
        t.node("Add", "x" + i + " d" + i + " -> x" + (i + 1));
      }
      return t.weight("lnf", 64).node("SimplifiedLayerNormalization", "x2 lnf -> nf").weight("lm", 64, 40)
          .node("MatMul", "nf lm -> logits").build();
    }

    private void nbits(TinyGraph t, String name, String in, String out, long k, long n) {
      t.bytes(name, n, k / 32, 16).weight(name + "_s", n, k / 32).node("com.microsoft", "MatMulNBits",
          in + " " + name + " " + name + "_s -> " + out, TinyGraph.integer("K", k), TinyGraph.integer("N", n),
          TinyGraph.integer("bits", 4), TinyGraph.integer("block_size", 32));
    }

    @Test
    void run_int4Chain_recognizedButRefused() throws Exception {
      Graph g = int4Chain();
      assertEquals(List.of(new Chain(0, 1)), TransformerStructure.recognize(g).chains());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> FfnFusionPass.of(FusionPlan.parse("0-1"), FfnFusionPass.Options.defaults()).run(g));
      assertTrue(e.getMessage().contains("block-quantized"), e.getMessage());
    }
  }

  static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }
}

package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.export.CudaOperators;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.ffnfuse.graph.fusion.FfnFusionPass;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.ffnfuse.graph.fusion.ParallelFormPass;
import org.ffnfuse.graph.ir.Graph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX → ONNX fusion through files, on nas-austen-16l (attention removed in blocks 8..14): the fused model against the
 * parallel form built by graph rewiring ({@link ParallelFormPass}) and against the checkpoint path
 * ({@link Fusion#fuse} on the safetensors folder), both within 1e-4 on ONNX Runtime.
 */
class OnnxFusionTest {
  static final double EXACT = 1e-4;

  /** Logits of the parallel form of {@code plan} in {@code onnx}, written beside {@code dir}. */
  static float[][][] parallelLogits(Path onnx, FusionPlan plan, Path dir, long[][] ids) throws Exception {
    Path out = dir.resolve("parallel.onnx");
    try (OnnxModel m = OnnxModel.open(onnx)) {
      Graph g = OnnxFusion.graph(onnx, m);
      OnnxFusion.write(ParallelFormPass.of(plan).run(g).graph(), m, out);
    }
    return OrtRunner.run(out, ids);
  }

  static long[][] referenceIds(Path fixture) {
    return new long[][] {Fixtures.reference(fixture).inputIds()};
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ExportedNasAusten {
    Path checkpoint;
    Path exported;
    long[][] ids;
    float[][][] sequential;

    @BeforeAll
    void export(@TempDir Path tmp) throws Exception {
      checkpoint = Fixtures.bundled("nas-austen-16l");
      exported = tmp.resolve("nas.onnx");
      OnnxExporter.export(checkpoint, exported, ExportOptions.defaults());
      ids = referenceIds(checkpoint);
      sequential = OrtRunner.run(exported, ids);
    }

    @ParameterizedTest(name = "chain {0}")
    @ValueSource(strings = {"8-13", "7-14", "8-14"})
    void fuse_equalsParallelFormAndCheckpointPath(String chain, @TempDir Path dir) throws Exception {
      FusionPlan plan = FusionPlan.parse(chain);
      Path fused = dir.resolve("fused.onnx");
      List<String> reports = OnnxFusion.fuse(exported, plan, fused);
      assertTrue(reports.get(0).startsWith("FfnFusion: fused 1 chain, " + plan.chains().get(0).length()
          + " FFNs → 1"), reports.toString());
      float[][][] f = OrtRunner.run(fused, ids);
      double exact = OrtRunner.maxAbsDiff(f, parallelLogits(exported, plan, dir, ids));
      double drift = OrtRunner.maxAbsDiff(f, sequential);
      assertTrue(exact <= EXACT, "fused vs parallel form: " + exact);
      assertTrue(drift > 1e-3, "fusion changes a trained model's logits");

      Path viaCheckpoint = dir.resolve("from-checkpoint.onnx");
      Fusion.fuse(checkpoint, plan, viaCheckpoint, "fp32", false);
      double paths = OrtRunner.maxAbsDiff(f, OrtRunner.run(viaCheckpoint, ids));
      System.err.printf("[measure] nas-austen-16l (our export) chain %s: max |Δlogit| fused vs parallel form %.2g,"
          + " vs checkpoint path %.2g, fused vs sequential (drift) %.3g%n", chain, exact, paths, drift);
      assertTrue(paths <= EXACT, "checkpoint path and ONNX path differ by " + paths);
    }

    @Test
    void fuse_output_passesCudaCheckWithFunctionAndKeepsNewWeightsExternal(@TempDir Path dir) throws Exception {
      Path fused = dir.resolve("fused.onnx");
      OnnxFusion.fuse(exported, FusionPlan.parse("8-14"), fused);
      try (OnnxModel m = OnnxModel.open(fused)) {
        ModelProto p = m.proto();
        assertEquals(List.of(), CudaOperators.unsupported(p));
        assertEquals(1, p.getFunctionsCount());
        assertEquals(1, p.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("FusedFFN")
            && n.getDomain().equals("ai.ffnfuse")).count());
        for (TensorProto t : p.getGraph().getInitializerList()) {
          if (t.getName().endsWith("_weight") && t.getName().startsWith("fused_ffn.")) {
            assertEquals(TensorProto.DataLocation.EXTERNAL, t.getDataLocation(), t.getName());
          }
        }
      }
      assertTrue(Files.exists(dir.resolve("fused.onnx.data")));
    }

    @Test
    void fuse_inline_standardOpsOnlySameLogits(@TempDir Path dir) throws Exception {
      FusionPlan plan = FusionPlan.parse("8-13");
      Path fn = dir.resolve("fn.onnx");
      Path inline = dir.resolve("inline.onnx");
      OnnxFusion.fuse(exported, plan, fn);
      OnnxFusion.fuse(exported, plan, inline, FfnFusionPass.Options.defaults().withInline(true));
      try (OnnxModel m = OnnxModel.open(inline)) {
        assertEquals(0, m.proto().getFunctionsCount());
        assertEquals(List.of(), CudaOperators.unsupported(m.proto()));
      }
      assertTrue(OrtRunner.maxAbsDiff(OrtRunner.run(fn, ids), OrtRunner.run(inline, ids)) <= 1e-5);
    }

    @Test
    void fuse_kvCacheModel_keepsOtherBlocksCacheAndDecodesLikeFullPass(@TempDir Path dir) throws Exception {
      Path kv = dir.resolve("kv.onnx");
      OnnxExporter.export(checkpoint, kv, ExportOptions.defaults().withKvCache(true));
      Path fused = dir.resolve("kv-fused.onnx");
      OnnxFusion.fuse(kv, FusionPlan.parse("7-14"), fused);
      Path plain = dir.resolve("fused.onnx");
      OnnxFusion.fuse(exported, FusionPlan.parse("7-14"), plain);
      try (OnnxModel before = OnnxModel.open(kv); OnnxModel after = OnnxModel.open(fused)) {
        assertEquals(before.proto().getGraph().getInputList(), after.proto().getGraph().getInputList());
        assertEquals(before.proto().getGraph().getOutputList(), after.proto().getGraph().getOutputList());
      }
      long[][] seq = {java.util.Arrays.copyOf(ids[0], 12)};
      try (OrtCausalLm lm = OrtCausalLm.open(fused, 1)) {
        assertTrue(lm.hasKvCache());
        float[][][] full = lm.logits(seq);
        assertTrue(OrtRunner.maxAbsDiff(full, OrtRunner.run(plain, seq)) <= EXACT, "KV and plain graphs agree");
        OrtCausalLm.KvCache cache = lm.newCache(1);
        lm.step(new long[][] {java.util.Arrays.copyOf(seq[0], 8)}, cache);
        for (int t = 8; t < 12; t++) {
          float[][][] next = lm.step(new long[][] {{seq[0][t]}}, cache);
          assertTrue(OrtRunner.maxAbsDiff(new float[][] {next[0][0]}, new float[][] {full[0][t]}) <= EXACT,
              "cached decoding at position " + t);
        }
      }
    }

    @Test
    void fuse_attentionInsideChain_refusedAndNothingWritten(@TempDir Path dir) {
      Path out = dir.resolve("x.onnx");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OnnxFusion.fuse(exported, FusionPlan.parse("6-9"), out));
      assertTrue(e.getMessage().contains("block 7 has attention"), e.getMessage());
      assertFalse(Files.exists(out));
      assertFalse(Files.exists(dir.resolve("x.onnx.data")));
    }

    @Test
    void fuse_viaFusionFacade_dispatchesOnnxInput(@TempDir Path dir) throws Exception {
      Path out = dir.resolve("f.onnx");
      Fusion.fuse(exported, FusionPlan.parse("9-12"), out, "same", false);
      assertTrue(OrtRunner.maxAbsDiff(OrtRunner.run(out, ids), parallelLogits(exported, FusionPlan.parse("9-12"),
          dir, ids)) <= EXACT);
      assertThrows(IllegalArgumentException.class, () -> Fusion.fuse(exported, FusionPlan.parse("9-12"),
          dir.resolve("g.onnx"), "same", true));
      assertThrows(IllegalArgumentException.class, () -> Fusion.fuse(exported, FusionPlan.parse("9-12"),
          dir.resolve("folder"), "same", false));
    }
  }

  @Test
  void fuse_notATransformer_typedErrorNamingTheNode(@TempDir Path tmp) throws Exception {
    // A graph with a token embedding but nothing recognizable after it.
    ModelProto m = ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("g")
            .addInput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("input_ids"))
            .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("y"))
            .addInitializer(TensorProto.newBuilder().setName("emb").setDataType(1).addDims(4).addDims(2)
                .addAllFloatData(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f)))
            .addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Gather").setName("embed")
                .addInput("emb").addInput("input_ids").addOutput("h"))
            .addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Relu").setName("odd").addInput("h")
                .addOutput("y")))
        .build();
    Path in = tmp.resolve("odd.onnx");
    Files.write(in, m.toByteArray());
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> OnnxFusion.fuse(in, FusionPlan.parse("0-1"), tmp.resolve("out.onnx")));
    assertTrue(e.getMessage().contains("odd.onnx") && e.getMessage().contains("final norm"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("out.onnx")));
  }

  @Test
  void weightType_parsesDtypeOption() {
    assertTrue(OnnxFusion.weightType("same").isEmpty());
    assertEquals(org.ffnfuse.formats.tensor.DType.F16, OnnxFusion.weightType("fp16").orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> OnnxFusion.weightType("bf16"));
    assertThrows(IllegalArgumentException.class, () -> OnnxFusion.weightType("int8"));
  }

  /** The acceptance fixtures: both PyTorch exporters' graphs of nas-austen-16l. */
  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class SharedExports {
    @ParameterizedTest(name = "{0} chain {1}")
    @CsvSource({"nas-austen-16l-onnx-dynamo, 8-13", "nas-austen-16l-onnx-dynamo, 7-14",
        "nas-austen-16l-onnx-dynamo, 8-14", "nas-austen-16l-onnx-torchscript, 8-13",
        "nas-austen-16l-onnx-torchscript, 7-14", "nas-austen-16l-onnx-torchscript, 8-14"})
    void fuse_equalsParallelFormAndCheckpointPath(String fixture, String chain, @TempDir Path dir) throws Exception {
      Path in = Fixtures.shared(fixture).resolve("model.onnx");
      long[][] ids = referenceIds(Fixtures.shared(fixture));
      FusionPlan plan = FusionPlan.parse(chain);
      Path fused = dir.resolve("fused.onnx");
      OnnxFusion.fuse(in, plan, fused);
      float[][][] f = OrtRunner.run(fused, ids);
      double exact = OrtRunner.maxAbsDiff(f, parallelLogits(in, plan, dir, ids));
      System.err.printf("[measure] %s chain %s: max |Δlogit| fused vs parallel form %.2g, fused vs sequential"
          + " (drift) %.3g%n", fixture, chain, exact, OrtRunner.maxAbsDiff(f, OrtRunner.run(in, ids)));
      assertTrue(exact <= EXACT);
      try (OnnxModel before = OnnxModel.open(in); OnnxModel after = OnnxModel.open(fused)) {
        // The dynamo export's mask building uses IsNaN, outside our conservative CUDA list: fusion adds nothing.
        assertEquals(CudaOperators.unsupported(before.proto()), CudaOperators.unsupported(after.proto()));
      }
      // The checkpoint path on these graphs is compared in FusionPerplexityTest.
    }
  }
}

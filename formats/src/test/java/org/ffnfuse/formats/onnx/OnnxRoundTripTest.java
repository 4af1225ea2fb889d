package org.ffnfuse.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Read → write (with external data) → run on ONNX Runtime: every ONNX fixture gives bit-identical logits after the
 * round trip, the written proto equals the original except for where initializer data lives, and every initializer's
 * bytes are unchanged.
 */
class OnnxRoundTripTest {
  private static final Logger LOG = Logger.getLogger(OnnxRoundTripTest.class.getName());
  /** reference.json logits are PyTorch's, rounded to 5 decimals; ONNX Runtime agrees to about 2e-5. */
  private static final double REFERENCE_TOLERANCE = 1e-4;

  @TempDir Path dir;

  /** Every .onnx under samples/models, as paths relative to it. */
  static Stream<String> bundledModels() throws IOException {
    Path root = Fixtures.bundled(".");
    try (Stream<Path> s = Files.walk(root)) {
      List<String> models = s.filter(p -> p.toString().endsWith(".onnx")).map(p -> root.relativize(p).toString())
          .sorted().toList();
      assertTrue(models.size() >= 11, "expected the 11 bundled ONNX models, found " + models);
      return models.stream();
    }
  }

  static Stream<String> sharedModels() {
    return Stream.of("llama-austen-16l-onnx", "nas-austen-16l-onnx-dynamo", "nas-austen-16l-onnx-torchscript");
  }

  /** The full check on one fixture; returns max |Δ| of the copy's last logits vs reference.json. */
  private double roundTrip(Path original, Fixtures.Reference ref) throws IOException, OrtException {
    Path out = Files.createDirectories(dir.resolve("a")).resolve("model.onnx");
    Path again = Files.createDirectories(dir.resolve("b")).resolve("model.onnx");
    try (OnnxModel src = OnnxModel.open(original)) {
      OnnxModelWriter.copy(src, out);
      try (OnnxModel copy = OnnxModel.open(out)) {
        assertEquals(TestModels.withoutInitializerData(src.proto()), TestModels.withoutInitializerData(copy.proto()),
            "everything but initializer data survives");
        long external = 0;
        for (String name : src.initializerNames()) {
          assertArrayEquals(OnnxModelTest.bytes(src.initializer(name)), OnnxModelTest.bytes(copy.initializer(name)),
              name);
          if (copy.isExternal(name)) {
            external++;
            TensorProto t = OnnxModelWriterTest.init(copy.proto(), name);
            assertEquals(0, Long.parseLong(OnnxModelWriterTest.ext(t).get("offset")) % 4096, name);
          }
        }
        assertTrue(external > 0, "weights went to model.onnx.data");
        // Second hop: external source → external output, streamed from the mapped data file; same bytes.
        OnnxModelWriter.copy(copy, again);
      }
    }
    assertEquals(-1, Files.mismatch(out, again));
    assertEquals(-1, Files.mismatch(out.resolveSibling("model.onnx.data"), again.resolveSibling("model.onnx.data")));

    long[][] ids = ref.inputIdsBatch();
    float[][][] before = OrtRunner.run(original, ids);
    float[][][] after = OrtRunner.run(out, ids);
    assertEquals(0.0, OrtRunner.maxAbsDiff(before, after), "logits after the round trip must be identical");
    float[][] last = new float[after.length][];
    for (int b = 0; b < after.length; b++) {
      last[b] = after[b][after[b].length - 1];
    }
    double vsReference = OrtRunner.maxAbsDiff(ref.lastLogitsBatch(), last);
    LOG.info(() -> String.format("%s: max |Δ| vs original 0, vs reference.json %.3g", original, vsReference));
    assertTrue(vsReference <= REFERENCE_TOLERANCE, original + ": max |Δ| vs reference.json " + vsReference);
    return vsReference;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bundledModels")
  void copy_bundledModel_identicalLogits(String model) throws Exception {
    Path rel = Path.of(model);
    Path folder = Fixtures.bundled(rel.getParent().toString());
    roundTrip(folder.resolve(rel.getFileName()), Fixtures.reference(folder));
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class Shared {
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.ffnfuse.formats.onnx.OnnxRoundTripTest#sharedModels")
    void copy_sharedModel_identicalLogits(String name) throws Exception {
      Path folder = Fixtures.shared(name);
      roundTrip(folder.resolve("model.onnx"), Fixtures.reference(folder));
    }
  }

  @Nested
  class Preservation {
    private static UnknownFieldSet unknown(String tag) {
      return UnknownFieldSet.newBuilder().addField(9999, UnknownFieldSet.Field.newBuilder().addVarint(42)
          .addLengthDelimited(ByteString.copyFromUtf8(tag)).build()).build();
    }

    @Test
    void copy_unknownFieldsEverywhere_survive() throws IOException {
      ModelProto lin = TestModels.linear(21);
      GraphProto.Builder g = lin.getGraph().toBuilder().setUnknownFields(unknown("graph"));
      g.setInitializer(0, g.getInitializer(0).toBuilder().setUnknownFields(unknown("tensor")));
      g.setNode(0, g.getNode(0).toBuilder().setUnknownFields(unknown("node")));
      g.addNode(NodeProto.newBuilder().setName("c").setOpType("Constant").addOutput("unused")
          .addAttribute(TestModels.tensorAttribute("value", TestModels.raw("cv", DataType.FLOAT_VALUE, new byte[4]))
              .toBuilder().setUnknownFields(unknown("attribute"))));
      ModelProto src = lin.toBuilder().setGraph(g).setUnknownFields(unknown("model"))
          .setFunctions(0, lin.getFunctions(0).toBuilder().setUnknownFields(unknown("function"))).build();
      Path in = TestModels.save(src, dir.resolve("in.onnx"));
      Path out = dir.resolve("out.onnx");
      try (OnnxModel m = OnnxModel.open(in)) {
        OnnxModelWriter.copy(m, out);
      }
      try (OnnxModel m = OnnxModel.open(out)) {
        ModelProto w = m.proto();
        assertEquals(TestModels.withoutInitializerData(src), TestModels.withoutInitializerData(w));
        TensorProto t = w.getGraph().getInitializer(0);
        assertTrue(TensorProtos.isExternal(t), "the tensor carrying an unknown field was moved to external data");
        assertEquals(unknown("tensor"), t.getUnknownFields());
        assertEquals(unknown("model"), w.getUnknownFields());
        assertEquals(unknown("node"), w.getGraph().getNode(0).getUnknownFields());
        assertEquals(10, w.getIrVersion());
        assertEquals("x @ w", w.getGraph().getNode(0).getDocString());
        assertEquals(1, w.getGraph().getNode(0).getMetadataPropsCount());
        assertEquals(1, w.getFunctionsCount());
        assertEquals(1, w.getGraph().getValueInfoCount());
      }
    }

    @Test
    void copy_linearModel_runsOnOrtLikeTheOriginal() throws IOException, OrtException {
      ModelProto src = TestModels.linear(22);
      Path in = TestModels.save(src, dir.resolve("in.onnx"));
      Path out = dir.resolve("out.onnx");
      try (OnnxModel m = OnnxModel.open(in)) {
        OnnxModelWriter.copy(m, out);
      }
      float[] x = new float[TestModels.IN];
      Random rnd = new Random(23);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rnd.nextGaussian();
      }
      float[] expected = TestModels.linearReference(src, x);
      float[] before = runLinear(in, x);
      float[] after = runLinear(out, x);
      assertArrayEquals(before, after, 0f);
      assertArrayEquals(expected, after, 1e-4f);
    }

    private float[] runLinear(Path model, float[] x) throws OrtException {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession s = env.createSession(model.toString());
          OnnxTensor in = OnnxTensor.createTensor(env, new float[][] {x});
          OrtSession.Result r = s.run(Map.of("x", in))) {
        return ((float[][]) r.get(0).getValue())[0];
      }
    }
  }
}

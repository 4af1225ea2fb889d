package org.ffnfuse.converters.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxExporterTest {
  private static final double TOLERANCE = 1e-4;

  /** Exports {@code dir}, runs the reference ids on ONNX Runtime and returns max |Δ| over the last logits. */
  static double maxDeltaVsReference(Path dir, Path out, ExportOptions options) throws Exception {
    OnnxExporter.export(dir, out, options);
    ReferenceLogits ref = ReferenceLogits.read(dir);
    try (OrtCausalLm lm = OrtCausalLm.open(out, 1)) {
      float[][][] logits = lm.logits(ref.inputIds());
      double max = 0;
      for (int b = 0; b < ref.inputIds().length; b++) {
        float[] last = logits[b][logits[b].length - 1];
        assertEquals(ref.lastLogits()[b].length, last.length, "vocab");
        for (int v = 0; v < last.length; v++) {
          max = Math.max(max, Math.abs(last[v] - ref.lastLogits()[b][v]));
        }
      }
      return max;
    }
  }

  /** Max |Δ| between uncached logits and the cached graph fed one token at a time, over every position. */
  static double kvCacheDrift(Path dir, Path tmp, long[][] ids) throws Exception {
    Path plain = tmp.resolve("plain.onnx");
    Path cached = tmp.resolve("cached.onnx");
    OnnxExporter.export(dir, plain, ExportOptions.defaults());
    OnnxExporter.export(dir, cached, ExportOptions.defaults().withKvCache(true));
    try (OrtCausalLm a = OrtCausalLm.open(plain, 1); OrtCausalLm b = OrtCausalLm.open(cached, 1)) {
      assertFalse(a.hasKvCache());
      assertTrue(b.hasKvCache());
      float[][][] full = a.logits(ids);
      OrtCausalLm.KvCache cache = b.newCache(ids.length);
      double max = 0;
      // a 3-token prefill, then one token per step
      int prefill = Math.min(3, ids[0].length);
      List<float[][][]> steps = new ArrayList<>();
      steps.add(b.step(slice(ids, 0, prefill), cache));
      for (int t = prefill; t < ids[0].length; t++) {
        steps.add(b.step(slice(ids, t, t + 1), cache));
      }
      assertEquals(ids[0].length, cache.length());
      int pos = 0;
      for (float[][][] s : steps) {
        for (int i = 0; i < s[0].length; i++, pos++) {
          for (int bb = 0; bb < ids.length; bb++) {
            for (int v = 0; v < s[bb][i].length; v++) {
              max = Math.max(max, Math.abs(s[bb][i][v] - full[bb][pos][v]));
            }
          }
        }
      }
      return max;
    }
  }

  /** Measured numbers go to stderr (surefire keeps them in the test output) for the closing note. */
  static void report(String line) {
    System.err.println("[measure] " + line);
  }

  private static long[][] slice(long[][] ids, int from, int to) {
    return Stream.of(ids).map(r -> java.util.Arrays.copyOfRange(r, from, to)).toArray(long[][]::new);
  }

  @Nested
  class Bundled {
    @ParameterizedTest
    @ValueSource(strings = {"stories260k", "nas-austen-16l", "random/llama", "random/qwen2", "random/gemma",
        "random/phi3", "random/gpt2"})
    void export_fixture_matchesReferenceLogits(String name, @TempDir Path tmp) throws Exception {
      double d = maxDeltaVsReference(Fixtures.bundled(name), tmp.resolve("model.onnx"), ExportOptions.defaults());
      report(String.format("%s: max |Δ| vs reference.json = %.3g", name, d));
      assertTrue(d <= TOLERANCE, name + ": max |Δ| " + d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nas-austen-16l", "random/llama", "random/phi3", "random/gpt2", "random/gemma"})
    void export_kvCache_tokenByTokenMatchesUncached(String name, @TempDir Path tmp) throws Exception {
      ReferenceLogits ref = ReferenceLogits.read(Fixtures.bundled(name));
      long[][] ids = slice(ref.inputIds(), 0, Math.min(12, ref.inputIds()[0].length));
      double d = kvCacheDrift(Fixtures.bundled(name), tmp, ids);
      report(String.format("%s: KV-cache max |Δ| vs uncached = %.3g", name, d));
      assertTrue(d <= TOLERANCE, name + ": KV drift " + d);
    }

    @Test
    void export_kvCache_noCacheInputsForAttentionFreeBlocks(@TempDir Path tmp) throws Exception {
      Path out = tmp.resolve("m.onnx");
      OnnxExporter.export(Fixtures.bundled("nas-austen-16l"), out, ExportOptions.defaults().withKvCache(true));
      try (OnnxModel m = OnnxModel.open(out)) {
        List<String> inputs = m.proto().getGraph().getInputList().stream().map(v -> v.getName()).toList();
        List<String> outputs = m.proto().getGraph().getOutputList().stream().map(v -> v.getName()).toList();
        for (int i = 0; i < 16; i++) {
          boolean attention = i < 8 || i == 15;
          assertEquals(attention, inputs.contains("past_key_values." + i + ".key"), "block " + i);
          assertEquals(attention, outputs.contains("present." + i + ".value"), "block " + i);
        }
        assertEquals("logits", outputs.get(0));
        assertEquals(List.of("input_ids", "attention_mask"), inputs.subList(0, 2));
      }
    }

    @Test
    void export_fp16_storesHalfWeightsAndStaysClose(@TempDir Path tmp) throws Exception {
      Path dir = Fixtures.bundled("random/llama");
      Path f32 = tmp.resolve("f32.onnx");
      Path f16 = tmp.resolve("f16.onnx");
      OnnxExporter.export(dir, f32, ExportOptions.defaults());
      double d = maxDeltaVsReference(dir, f16, ExportOptions.defaults().withWeightType(DType.F16));
      report(String.format("random/llama fp16: max |Δ| vs reference = %.3g", d));
      assertTrue(d < 5e-3, "fp16 drift " + d);
      long s32 = Files.size(tmp.resolve("f32.onnx.data"));
      long s16 = Files.size(tmp.resolve("f16.onnx.data"));
      assertTrue(s16 < 0.6 * s32, s16 + " vs " + s32);
    }

    @Test
    void export_positionIdsInput_matchesReference(@TempDir Path tmp) throws Exception {
      double d = maxDeltaVsReference(Fixtures.bundled("random/qwen2"), tmp.resolve("m.onnx"),
          ExportOptions.defaults().withPositionIds(true));
      assertTrue(d <= TOLERANCE, "max |Δ| " + d);
    }

    @Test
    void export_graph_usesOnlyCudaOperatorsAndReadableNames(@TempDir Path tmp) throws Exception {
      Path out = tmp.resolve("m.onnx");
      ExportResult r = OnnxExporter.export(Fixtures.bundled("random/gemma"), out,
          ExportOptions.defaults().withKvCache(true));
      try (OnnxModel m = OnnxModel.open(out)) {
        ModelProto p = m.proto();
        assertEquals(List.of(), CudaOperators.unsupported(p));
        assertEquals(17, p.getOpsetImport(0).getVersion());
        assertTrue(p.getGraph().getNodeList().stream()
            .anyMatch(n -> n.getName().equals("/model/layers.3/mlp/down_proj/MatMul")));
        assertTrue(m.isExternal("model.layers.3.mlp.down_proj.weight"));
      }
      assertTrue(r.operators().contains("MatMul"));
    }
  }

  @Nested
  class Errors {
    @Test
    void export_unsupportedModelType_failsBeforeWriting(@TempDir Path tmp) throws IOException {
      Path dir = Files.createDirectory(tmp.resolve("ckpt"));
      Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mamba\"}");
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> OnnxExporter.export(dir, tmp.resolve("out.onnx"), ExportOptions.defaults()));
      assertTrue(e.getMessage().contains("model_type 'mamba' is not supported (supported: llama"), e.getMessage());
      assertFalse(Files.exists(tmp.resolve("out.onnx")));
    }

    @Test
    void export_configDisagreesWithWeights_namesTensorAndLeavesNothing(@TempDir Path tmp) throws IOException {
      Path dir = Files.createDirectory(tmp.resolve("ckpt"));
      Path src = Fixtures.bundled("random/llama");
      Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
      Files.writeString(dir.resolve("config.json"),
          Files.readString(src.resolve("config.json")).replace("\"intermediate_size\": 160", "\"intermediate_size\": 128"));
      Path out = tmp.resolve("out").resolve("m.onnx");
      Files.createDirectories(out.getParent());
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> OnnxExporter.export(dir, out, ExportOptions.defaults()));
      assertTrue(e.getMessage().contains("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [160, 64], expected"
          + " [128, 64]"), e.getMessage());
      try (Stream<Path> s = Files.list(out.getParent())) {
        assertEquals(0, s.count());
      }
    }
  }

  @Nested
  @Tag(Fixtures.ACCEPTANCE)
  class Shared {
    @Test
    void export_llamaAusten_matchesReferenceAndCache(@TempDir Path tmp) throws Exception {
      Path dir = Fixtures.shared("llama-austen-16l");
      double d = maxDeltaVsReference(dir, tmp.resolve("model.onnx"), ExportOptions.defaults());
      report(String.format("llama-austen-16l: max |Δ| vs reference.json = %.3g", d));
      assertTrue(d <= TOLERANCE, "max |Δ| " + d);
      long[][] ids = slice(ReferenceLogits.read(dir).inputIds(), 0, 16);
      double kv = kvCacheDrift(dir, tmp, ids);
      report(String.format("llama-austen-16l: KV-cache max |Δ| = %.3g", kv));
      assertTrue(kv <= TOLERANCE, "KV drift " + kv);
    }
  }
}

package org.ffnfuse.converters.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.testing.Fixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Verifier} on the bundled stories260k: its perplexity on the first 20 windows of 257 tokens of
 * {@code tinystories-tokens.json} is about 4.34 (reference computed by a NumPy port of llama2.c, see shared/README).
 */
class VerifierTest {
  private static final int WINDOWS = 20;
  private static final int LENGTH = 257;

  static long[][] tinyStoriesWindows() throws IOException {
    JsonNode ids = new ObjectMapper().readTree(Fixtures.bundled("stories260k").resolve("tinystories-tokens.json")
        .toFile()).get("ids");
    long[][] w = new long[WINDOWS][LENGTH];
    for (int i = 0; i < WINDOWS * LENGTH; i++) {
      w[i / LENGTH][i % LENGTH] = ids.get(i).asLong();
    }
    return w;
  }

  static Path export(Path dir, String name, DType weights) throws IOException {
    Path onnx = dir.resolve(name);
    OnnxExporter.export(Fixtures.bundled("stories260k"), onnx, ExportOptions.defaults().withWeightType(weights));
    return onnx;
  }

  @Nested
  class Verify {
    @Test
    void verify_modelAgainstItself_noDivergenceAndReferencePerplexity(@TempDir Path tmp) throws Exception {
      Path onnx = export(tmp, "a.onnx", DType.F32);
      List<Integer> progress = new ArrayList<>();
      VerifyReport r;
      try (RunnableModel a = RunnableModel.open(onnx); RunnableModel b = RunnableModel.open(onnx)) {
        r = Verifier.verify(a, b, tinyStoriesWindows(), 1, progress::add);
      }
      assertEquals(4.34, r.original().perplexity(), 0.01 * 4.34);
      assertEquals(r.original().perplexity(), r.fused().perplexity(), 0);
      assertEquals(0, r.perplexityIncrease(), 0);
      assertEquals(0, r.kl(), 0);
      assertEquals(1, r.top1(), 0);
      assertEquals(0, r.maxAbsLogitError(), 0);
      assertEquals(0, r.meanAbsLogitError(), 0);
      assertEquals(WINDOWS * (LENGTH - 1), r.tokens());
      assertEquals(WINDOWS, r.windows());
      assertEquals(onnx.toString(), r.original().path());
      assertTrue(r.cudaCompatible());
      assertTrue(r.original().cudaCompatible() && r.fused().cudaCompatible());
      assertEquals(List.of(), r.original().unsupportedOps());
      assertEquals(List.of(), r.fused().integrityProblems());
      assertEquals(Stream.iterate(1, i -> i + 1).limit(WINDOWS).toList(), progress);
    }

    @Test
    void verify_fp16Weights_smallPositiveDivergenceOnTheFusedSide(@TempDir Path tmp) throws Exception {
      Path original = export(tmp, "fp32.onnx", DType.F32);
      Path fp16 = export(tmp, "fp16.onnx", DType.F16);
      VerifyReport r;
      try (RunnableModel a = RunnableModel.open(original); RunnableModel b = RunnableModel.open(fp16)) {
        r = Verifier.verify(a, b, Arrays.copyOf(tinyStoriesWindows(), 4), 1, w -> { });
      }
      assertEquals(fp16.toString(), r.fused().path());
      assertNotEquals(r.original().perplexity(), r.fused().perplexity());
      assertEquals(r.fused().perplexity() / r.original().perplexity() - 1, r.perplexityIncrease(), 1e-15);
      // fp16 rounding of the weights moves logits by about 1e-3: tiny but not zero.
      assertTrue(r.kl() > 0 && r.kl() < 1e-3, "kl " + r.kl());
      assertTrue(r.top1() > 0.95 && r.top1() <= 1, "top1 " + r.top1());
      assertTrue(r.maxAbsLogitError() > 0 && r.maxAbsLogitError() < 0.1, "max " + r.maxAbsLogitError());
      assertTrue(r.meanAbsLogitError() > 0 && r.meanAbsLogitError() < r.maxAbsLogitError());
      assertEquals(4 * (LENGTH - 1), r.tokens());
      assertEquals(4, r.windows());
    }
  }

  @Nested
  class Integrity {
    @Test
    void integrity_intactOnnxAndCheckpoint_noProblems(@TempDir Path tmp) throws Exception {
      assertEquals(List.of(), Verifier.integrity(export(tmp, "m.onnx", DType.F32)));
      assertEquals(List.of(), Verifier.integrity(Fixtures.bundled("stories260k")));
    }

    @Test
    void integrity_truncatedExternalData_namesTheProblem(@TempDir Path tmp) throws Exception {
      Path onnx = export(tmp, "m.onnx", DType.F32);
      Path data;
      try (Stream<Path> files = Files.list(tmp)) {
        data = files.filter(p -> !p.equals(onnx)).findFirst().orElseThrow();
      }
      truncate(data, Files.size(data) / 2);
      List<String> problems = Verifier.integrity(onnx);
      assertEquals(1, problems.size(), problems.toString());
    }

    @Test
    void integrity_truncatedShard_namesTheProblem(@TempDir Path tmp) throws Exception {
      Path src = Fixtures.bundled("stories260k");
      Path ck = Files.createDirectory(tmp.resolve("ck"));
      Files.copy(src.resolve("config.json"), ck.resolve("config.json"));
      Files.copy(src.resolve("model.safetensors"), ck.resolve("model.safetensors"));
      truncate(ck.resolve("model.safetensors"), Files.size(ck.resolve("model.safetensors")) - 100);
      List<String> problems = Verifier.integrity(ck);
      assertEquals(1, problems.size(), problems.toString());
      assertFalse(problems.get(0).isBlank());
    }

    @Test
    void integrity_missingFile_oneProblem(@TempDir Path tmp) {
      assertEquals(1, Verifier.integrity(tmp.resolve("absent.onnx")).size());
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(size);
    }
  }
}

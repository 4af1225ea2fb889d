package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.eval.Perplexity;
import org.ffnfuse.converters.eval.TextTokenizer;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real weights (issue 5): perplexity of nas-austen-16l on austen-persuasion (64 windows of BOS + 255 tokens, the
 * NumPy oracle's windows of ../shared/README.md), unfused and fused over 8..13 and 8..14 through the ONNX path from
 * both PyTorch exporters' graphs, which must match the oracle's parallel-form values (1e-4 relative) and, on a full
 * window's logits, the checkpoint path (one perplexity run fewer per chain: the paths compute the same model). The
 * figures are printed as {@code [measure]} lines.
 */
@Tag(Fixtures.ACCEPTANCE)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FusionPerplexityTest {
  private static final long BOS = 1;
  private long[] tokens;
  private double unfused;

  @BeforeAll
  void tokenize(@TempDir Path tmp) throws Exception {
    try (TextTokenizer tok = TextTokenizer.open(Fixtures.bundled("nas-austen-16l").resolve("tokenizer.json"))) {
      tokens = tok.encode(Files.readString(Fixtures.sharedText("austen-persuasion.txt")));
    }
    Path onnx = tmp.resolve("unfused.onnx");
    OnnxExporter.export(Fixtures.shared("nas-austen-16l"), onnx, ExportOptions.defaults());
    unfused = perplexity(onnx);
    System.err.printf("[measure] nas-austen-16l unfused perplexity: %.4f%n", unfused);
    assertEquals(22.8943, unfused, 1e-4 * 22.8943, "NumPy oracle");
  }

  private double perplexity(Path onnx) throws Exception {
    try (OrtCausalLm lm = OrtCausalLm.open(onnx, 2)) {
      Perplexity.Result r = Perplexity.withBos(lm, tokens, BOS, 255, 64);
      assertEquals(16_320, r.tokens());
      return r.perplexity();
    }
  }

  @ParameterizedTest(name = "chain {0}, oracle {1}")
  @CsvSource({"8-13, 25.1693", "8-14, 27.694"})
  void fused_checkpointAndOnnxPaths_sameModel(String chain, double oracle, @TempDir Path tmp) throws Exception {
    FusionPlan plan = FusionPlan.parse(chain);
    Path viaCheckpoint = tmp.resolve("checkpoint.onnx");
    Fusion.fuse(Fixtures.shared("nas-austen-16l"), plan, viaCheckpoint, "fp32", false);
    long[][] firstWindow = new long[1][257];
    firstWindow[0][0] = BOS;
    System.arraycopy(tokens, 0, firstWindow[0], 1, 256);
    float[][][] checkpointLogits = OrtRunner.run(viaCheckpoint, firstWindow);
    for (String export : new String[] {"nas-austen-16l-onnx-dynamo", "nas-austen-16l-onnx-torchscript"}) {
      Path out = tmp.resolve(export + ".onnx");
      OnnxFusion.fuse(Fixtures.shared(export).resolve("model.onnx"), plan, out);
      double d = OrtRunner.maxAbsDiff(checkpointLogits, OrtRunner.run(out, firstWindow));
      assertTrue(d <= 1e-4, export + ": ONNX path and checkpoint path differ by " + d + " on 257 tokens");
      double p = perplexity(out);
      System.err.printf("[measure] nas-austen-16l fused %s via %s: perplexity %.4f (unfused %.4f);"
          + " max |Δlogit| vs checkpoint path %.2g%n", chain, export, p, unfused, d);
      assertEquals(oracle, p, 1e-4 * oracle, export + ": NumPy oracle of the parallel form");
    }
  }
}

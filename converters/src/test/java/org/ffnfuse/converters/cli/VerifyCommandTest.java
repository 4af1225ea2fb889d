package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ffnfuse verify} on {@link TinyLlama} models, whose logits have a closed form: the statistics verify reports
 * are checked against the same statistics computed here in double from that closed form, not from verify's code.
 */
class VerifyCommandTest {
  private static final int VOCAB = 16;
  private static final int WINDOW = 12;
  private static final int WINDOWS = 4;
  /** The NaN model's broken token, first used in window {@link #NAN_WINDOW} (never before). */
  private static final int NAN_TOKEN = 7;
  private static final int NAN_WINDOW = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TinyLlama originalModel;
  static TinyLlama fusedModel;
  static Path original;
  static Path fused;
  static Path ids;
  static Oracle oracle;

  @BeforeAll
  static void models() throws Exception {
    originalModel = new TinyLlama(VOCAB, 1);
    fusedModel = new TinyLlama(VOCAB, 2);
    original = originalModel.export(Files.createDirectories(dir.resolve("a")).resolve("m.onnx"), OptionalInt.empty());
    fused = fusedModel.export(Files.createDirectories(dir.resolve("b")).resolve("m.onnx"), OptionalInt.empty());
    long[] stream = stream();
    ids = dir.resolve("ids.json");
    Files.writeString(ids, JSON.writeValueAsString(JSON.createObjectNode().set("ids", JSON.valueToTree(stream))));
    oracle = new Oracle(originalModel, fusedModel, windows(stream));
  }

  /** Seeded tokens 2..VOCAB−1 without {@link #NAN_TOKEN}, except once in window {@link #NAN_WINDOW}. */
  private static long[] stream() {
    SplittableRandom r = new SplittableRandom(42);
    long[] s = new long[WINDOW * WINDOWS];
    for (int i = 0; i < s.length; i++) {
      do {
        s[i] = 2 + r.nextInt(VOCAB - 2);
      } while (s[i] == NAN_TOKEN);
    }
    s[NAN_WINDOW * WINDOW + 5] = NAN_TOKEN;
    return s;
  }

  /** The windows verify cuts: BOS, then the next {@link #WINDOW} stream tokens. */
  private static long[][] windows(long[] stream) {
    long[][] w = new long[WINDOWS][WINDOW + 1];
    for (int i = 0; i < WINDOWS; i++) {
      w[i][0] = TinyLlama.BOS;
      System.arraycopy(stream, i * WINDOW, w[i], 1, WINDOW);
    }
    return w;
  }

  @Nested
  class Statistics {
    @Test
    void verify_tinyModels_klPerplexityAndTop1EqualTheClosedFormInDouble() throws Exception {
      Run r = verify(original, fused, "--json");
      assertEquals(0, r.code, r.err);
      JsonNode j = JSON.readTree(r.out);
      assertEquals(oracle.kl(), j.get("kl").asDouble(), 1e-5 * oracle.kl());
      assertEquals(oracle.perplexityA(), j.get("original").get("perplexity").asDouble(), 1e-5 * oracle.perplexityA());
      assertEquals(oracle.perplexityB(), j.get("fused").get("perplexity").asDouble(), 1e-5 * oracle.perplexityB());
      assertEquals(oracle.top1(), j.get("top1").asDouble(), 1e-12);
      assertEquals(oracle.perplexityB() / oracle.perplexityA() - 1, j.get("perplexityIncrease").asDouble(), 1e-5);
      assertEquals((long) WINDOWS * WINDOW, j.get("tokens").asLong());
      assertEquals(WINDOWS, j.get("windows").asInt());
      assertEquals(0, j.get("nonFiniteLogits").size());
    }

    @Test
    void verify_klDirection_isOriginalGivenFusedNotTheReverse() throws Exception {
      double forward = oracle.kl();
      double reverse = new Oracle(fusedModel, originalModel, oracle.windows).kl();
      assertTrue(Math.abs(forward - reverse) > 0.05 * forward, forward + " vs " + reverse + ": too close to tell");
      JsonNode ab = JSON.readTree(verify(original, fused, "--json").out);
      JsonNode ba = JSON.readTree(verify(fused, original, "--json").out);
      assertEquals(forward, ab.get("kl").asDouble(), 1e-5 * forward);
      assertEquals(reverse, ba.get("kl").asDouble(), 1e-5 * reverse);
    }
  }

  @Nested
  class Thresholds {
    @Test
    void verify_limitsJustAboveTheMeasuredValues_exitsZero() throws Exception {
      Run r = verify(original, fused, "--max-kl", limit(oracle.kl() * 1.001), "--max-ppl-increase",
          limit(oracle.perplexityB() / oracle.perplexityA() - 1 + 1e-3), "--min-top1", limit(oracle.top1() - 1e-3));
      assertEquals(0, r.code, r.err);
      assertFalse(r.err.contains("FAILED"), r.err);
    }

    @Test
    void verify_klJustAboveTheLimit_exitsOneNamingTheGate() throws Exception {
      Run r = verify(original, fused, "--max-kl", limit(oracle.kl() * 0.999));
      assertEquals(ErrorHandler.CHECK_FAILED, r.code, r.err);
      assertTrue(r.err.contains("verify: FAILED: KL ") && r.err.contains("> --max-kl"), r.err);
    }

    @Test
    void verify_perplexityIncreaseJustAboveTheLimit_exitsOne() throws Exception {
      double inc = oracle.perplexityB() / oracle.perplexityA() - 1;
      Run r = verify(original, fused, "--max-ppl-increase", limit(inc - 1e-3));
      assertEquals(ErrorHandler.CHECK_FAILED, r.code, r.err);
      assertTrue(r.err.contains("perplexity increase"), r.err);
    }

    @Test
    void verify_top1JustBelowTheMinimum_exitsOne() throws Exception {
      Run r = verify(original, fused, "--min-top1", limit(oracle.top1() + 1e-3));
      assertEquals(ErrorHandler.CHECK_FAILED, r.code, r.err);
      assertTrue(r.err.contains("top-1 agreement"), r.err);
    }
  }

  @Nested
  class BrokenModels {
    @Test
    void verify_fusedModelOutputsNaN_failsEveryGateAndSaysWhereItFirstAppeared() throws Exception {
      Path nan = fusedModel.export(Files.createDirectories(dir.resolve("nan")).resolve("m.onnx"),
          OptionalInt.of(NAN_TOKEN));
      Path report = dir.resolve("nan-report.json");
      Run r = verify(original, nan, "--max-ppl-increase", "0.05", "--max-kl", "0.1", "--json", "-o",
          report.toString());

      assertEquals(ErrorHandler.CHECK_FAILED, r.code, r.err);
      assertTrue(r.err.contains("fused model: logit NaN at window " + NAN_WINDOW + ","), r.err);
      assertTrue(r.err.contains("KL NaN > --max-kl") && r.err.contains("perplexity increase NaN > --max-ppl"), r.err);
      JsonNode first = JSON.readTree(report.toFile()).get("nonFiniteLogits");
      assertEquals(1, first.size(), first.toString());
      assertEquals("fused", first.get(0).get("model").asText());
      assertEquals(NAN_WINDOW, first.get(0).get("window").asInt());
      // The broken token sits at position 6 of its window, but the graph's causal mask is additive (NaN key score +
      // float min = NaN), so every query of that window already sees NaN: it first appears at position 0.
      assertEquals(0, first.get(0).get("position").asInt());
      assertEquals("NaN", first.get(0).get("value").asText());
    }

    @Test
    void verify_nanWithoutThresholds_stillExitsOne() throws Exception {
      Path nan = fusedModel.export(Files.createDirectories(dir.resolve("nan2")).resolve("m.onnx"),
          OptionalInt.of(NAN_TOKEN));
      Run r = verify(nan, fused);
      assertEquals(ErrorHandler.CHECK_FAILED, r.code, r.err);
      assertTrue(r.err.contains("original model: logit NaN at window " + NAN_WINDOW), r.err);
      assertTrue(r.out.contains("non-finite output: original model"), r.out);
    }

    @Test
    void verify_differentVocabularies_refusesNamingBothModels() throws Exception {
      Path other = new TinyLlama(VOCAB + 4, 3).export(Files.createDirectories(dir.resolve("v20")).resolve("m.onnx"),
          OptionalInt.empty());
      Run r = verify(original, other, "--max-kl", "0.1");
      assertEquals(CommandLine.ExitCode.USAGE, r.code, r.err);
      assertTrue(r.err.contains(original.toString()) && r.err.contains(other.toString()), r.err);
      assertTrue(r.err.contains("vocabulary of 16") && r.err.contains("of 20"), r.err);
    }

    @Test
    void verify_differentTokenizers_refusesNamingBothFiles() throws Exception {
      Path a = Files.createDirectories(dir.resolve("tok-a"));
      Path b = Files.createDirectories(dir.resolve("tok-b"));
      Files.copy(original, a.resolve("m.onnx"));
      Files.copy(fused, b.resolve("m.onnx"));
      Files.writeString(a.resolve("tokenizer.json"), "{\"model\":{\"vocab\":{\"a\":0}}}");
      Files.writeString(b.resolve("tokenizer.json"), "{\"model\":{\"vocab\":{\"b\":0}}}");
      Run r = verify(a.resolve("m.onnx"), b.resolve("m.onnx"));
      assertEquals(CommandLine.ExitCode.USAGE, r.code, r.err);
      assertTrue(r.err.contains(a.resolve("tokenizer.json").toString())
          && r.err.contains(b.resolve("tokenizer.json").toString()), r.err);
    }
  }

  private static String limit(double v) {
    return String.format(Locale.ROOT, "%.9f", v);
  }

  private record Run(int code, String out, String err) {}

  private static Run verify(Path a, Path b, String... extra) {
    List<String> args = new ArrayList<>(List.of("verify", a.toString(), b.toString(), "--text", ids.toString(),
        "--bos", "1", "--window", String.valueOf(WINDOW), "--windows", String.valueOf(WINDOWS), "--threads", "1"));
    args.addAll(Arrays.asList(extra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = FfnFuseCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** Perplexities, KL(a‖b) and top-1 agreement of two {@link TinyLlama}s, from their closed form, in double. */
  private record Oracle(TinyLlama a, TinyLlama b, long[][] windows) {
    double kl() {
      double sum = 0;
      int n = 0;
      for (long[] w : windows) {
        for (int t = 0; t + 1 < w.length; t++) {
          double[] p = logSoftmax(a.logits((int) w[t]));
          double[] q = logSoftmax(b.logits((int) w[t]));
          for (int v = 0; v < p.length; v++) {
            sum += Math.exp(p[v]) * (p[v] - q[v]);
          }
          n++;
        }
      }
      return sum / n;
    }

    double perplexityA() {
      return perplexity(a);
    }

    double perplexityB() {
      return perplexity(b);
    }

    private double perplexity(TinyLlama m) {
      double nll = 0;
      int n = 0;
      for (long[] w : windows) {
        for (int t = 0; t + 1 < w.length; t++) {
          nll -= logSoftmax(m.logits((int) w[t]))[(int) w[t + 1]];
          n++;
        }
      }
      return Math.exp(nll / n);
    }

    double top1() {
      int agree = 0;
      int n = 0;
      for (long[] w : windows) {
        for (int t = 0; t + 1 < w.length; t++) {
          agree += argmax(a.logits((int) w[t])) == argmax(b.logits((int) w[t])) ? 1 : 0;
          n++;
        }
      }
      return (double) agree / n;
    }

    private static int argmax(double[] x) {
      int best = 0;
      for (int i = 1; i < x.length; i++) {
        best = x[i] > x[best] ? i : best;
      }
      return best;
    }

    private static double[] logSoftmax(double[] x) {
      double max = Arrays.stream(x).max().orElseThrow();
      double lse = max + Math.log(Arrays.stream(x).map(v -> Math.exp(v - max)).sum());
      return Arrays.stream(x).map(v -> v - lse).toArray();
    }
  }
}

package org.ffnfuse.converters.verify;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Perplexity, KL and top-1 agreement computed the way the NumPy oracle of {@code ../shared/README.md} computes them,
 * without the code under test: the text is tokenized by the tokenizers library directly, windows are BOS + the next
 * {@code n} tokens (back to back), logits come from an ONNX Runtime session opened here, and every statistic is
 * computed in double from fp32 logits.
 */
public final class IndependentOracle {
  private IndependentOracle() {}

  /**
   * Statistics of one model (or one pair) over the windows.
   *
   * @param perplexityP perplexity of the first model
   * @param perplexityQ perplexity of the second model (the first again when there is none)
   * @param klPq mean KL(P ‖ Q) per predicted token, nats
   * @param klQp mean KL(Q ‖ P), the wrong direction, for tests that must tell them apart
   * @param top1 fraction of positions whose argmax agrees
   * @param tokens predicted positions
   */
  public record Stats(double perplexityP, double perplexityQ, double klPq, double klQp, double top1, long tokens) {}

  /** Token ids of a UTF-8 text, no special tokens, no truncation. */
  public static long[] tokenize(Path text, Path tokenizerJson) throws IOException {
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(tokenizerJson,
        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
      return t.encode(Files.readString(text), false, false).getIds();
    }
  }

  /** Window {@code w} is {@code bos} followed by {@code tokens[w·n .. (w+1)·n)}. */
  public static long[][] windows(long[] tokens, long bos, int n, int count) {
    long[][] out = new long[count][];
    for (int w = 0; w < count; w++) {
      out[w] = new long[n + 1];
      out[w][0] = bos;
      System.arraycopy(tokens, w * n, out[w], 1, n);
    }
    return out;
  }

  /** Compares {@code p} (the original) and {@code q} (the fused model) on {@code windows}. */
  public static Stats compare(Path p, Path q, long[][] windows) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession sp = env.createSession(p.toString(), o);
        OrtSession sq = env.createSession(q.toString(), o)) {
      double nllP = 0;
      double nllQ = 0;
      double klPq = 0;
      double klQp = 0;
      long agree = 0;
      long n = 0;
      for (long[] ids : windows) {
        float[][] lp = logits(env, sp, ids);
        float[][] lq = logits(env, sq, ids);
        for (int t = 0; t + 1 < ids.length; t++) {
          double[] a = logSoftmax(lp[t]);
          double[] b = logSoftmax(lq[t]);
          int target = (int) ids[t + 1];
          nllP -= a[target];
          nllQ -= b[target];
          for (int v = 0; v < a.length; v++) {
            klPq += Math.exp(a[v]) * (a[v] - b[v]);
            klQp += Math.exp(b[v]) * (b[v] - a[v]);
          }
          agree += argmax(a) == argmax(b) ? 1 : 0;
          n++;
        }
      }
      return new Stats(Math.exp(nllP / n), Math.exp(nllQ / n), klPq / n, klQp / n, (double) agree / n, n);
    }
  }

  /** Logits {@code [seq][vocab]} of one window, all-ones attention mask when the model takes one. */
  static float[][] logits(OrtEnvironment env, OrtSession s, long[] ids) throws OrtException {
    Map<String, OnnxTensor> in = new HashMap<>();
    try {
      long[] shape = {1, ids.length};
      in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      if (s.getInputNames().contains("attention_mask")) {
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
      }
      try (OrtSession.Result r = s.run(in)) {
        return ((float[][][]) r.get("logits").orElseThrow().getValue())[0];
      }
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  static double[] logSoftmax(float[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : x) {
      sum += Math.exp(v - max);
    }
    double lse = max + Math.log(sum);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] - lse;
    }
    return out;
  }

  private static int argmax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }
}

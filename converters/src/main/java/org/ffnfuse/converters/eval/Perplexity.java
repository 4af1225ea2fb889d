package org.ffnfuse.converters.eval;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnxruntime.OrtException;

/**
 * Perplexity over consecutive windows of a token stream: window {@code w} is BOS followed by tokens
 * {@code [w·n, (w+1)·n)}; every one of the {@code n} tokens is predicted from the ones before it (BOS included), and
 * the perplexity is {@code exp} of the mean negative log-likelihood over all predicted tokens. Log-softmax is computed
 * in double.
 */
public final class Perplexity {
  private Perplexity() {}

  /**
   * The result.
   *
   * @param perplexity {@code exp(meanNll)}
   * @param meanNll mean negative log-likelihood per token (nats)
   * @param tokens tokens scored
   * @param windows windows run
   */
  public record Result(double perplexity, double meanNll, long tokens, int windows) {}

  /**
   * Scores up to {@code maxWindows} windows of {@code windowTokens} tokens of {@code tokens}.
   *
   * @throws IllegalArgumentException if {@code tokens} holds not even one full window
   */
  public static Result compute(OrtCausalLm lm, long[] tokens, long bos, int windowTokens, int maxWindows)
      throws OrtException {
    checkArgument(windowTokens > 0 && maxWindows > 0, "window %s, max windows %s", windowTokens, maxWindows);
    int windows = Math.min(maxWindows, tokens.length / windowTokens);
    checkArgument(windows > 0, "%s tokens hold no window of %s", tokens.length, windowTokens);
    double nll = 0;
    long count = 0;
    for (int w = 0; w < windows; w++) {
      long[] in = new long[windowTokens + 1];
      in[0] = bos;
      System.arraycopy(tokens, w * windowTokens, in, 1, windowTokens);
      float[][] logits = lm.logits(new long[][] {in})[0];
      for (int i = 0; i < windowTokens; i++) {
        nll -= logSoftmax(logits[i], (int) in[i + 1]);
        count++;
      }
    }
    double mean = nll / count;
    return new Result(Math.exp(mean), mean, count, windows);
  }

  /** {@code log softmax(logits)[target]} in double. */
  static double logSoftmax(float[] logits, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    return logits[target] - max - Math.log(sum);
  }
}

package org.ffnfuse.converters.eval;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnxruntime.OrtException;
import java.util.Optional;

/**
 * Perplexity over consecutive windows of a token stream, {@code exp} of the mean negative log-likelihood of every
 * predicted token (log-softmax in double). With BOS ({@link #withBos}): window {@code w} is BOS followed by tokens
 * {@code [w·n, (w+1)·n)}, all {@code n} of which are predicted.
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
   * Scores up to {@code maxWindows} windows of BOS + {@code windowTokens} tokens of {@code tokens} (tokenized text
   * without special tokens).
   *
   * @throws IllegalArgumentException if {@code tokens} holds not even one full window
   */
  public static Result withBos(OrtCausalLm lm, long[] tokens, long bos, int windowTokens, int maxWindows)
      throws OrtException {
    return run(lm, tokens, Optional.of(bos), windowTokens, maxWindows);
  }

  /**
   * Scores up to {@code maxWindows} consecutive windows of {@code windowLength} tokens taken as they are (a stream
   * that already holds BOS tokens, such as stories260k's {@code tinystories-tokens.json}); each window predicts its
   * last {@code windowLength − 1} tokens.
   */
  public static Result ofWindows(OrtCausalLm lm, long[] tokens, int windowLength, int maxWindows)
      throws OrtException {
    checkArgument(windowLength > 1, "window length %s", windowLength);
    return run(lm, tokens, Optional.empty(), windowLength, maxWindows);
  }

  private static Result run(OrtCausalLm lm, long[] tokens, Optional<Long> bos, int windowTokens, int maxWindows)
      throws OrtException {
    checkArgument(windowTokens > 0 && maxWindows > 0, "window %s, max windows %s", windowTokens, maxWindows);
    int windows = Math.min(maxWindows, tokens.length / windowTokens);
    checkArgument(windows > 0, "%s tokens hold no window of %s", tokens.length, windowTokens);
    int offset = bos.isPresent() ? 1 : 0;
    double nll = 0;
    long count = 0;
    for (int w = 0; w < windows; w++) {
      long[] in = new long[windowTokens + offset];
      bos.ifPresent(b -> in[0] = b);
      System.arraycopy(tokens, w * windowTokens, in, offset, windowTokens);
      float[][] logits = lm.logits(new long[][] {in})[0];
      for (int i = 0; i + 1 < in.length; i++) {
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

package org.ffnfuse.converters.analysis;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.ModelVocab;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.eval.TokenWindows;

/**
 * Calibration windows from a text file (tokenized with the model's {@code tokenizer.json}, each window BOS + {@code n}
 * tokens) or from pre-tokenized ids ({@code {"ids":[…]}}, windows of {@code n} ids as they are, BOS already inside).
 * Immutable: {@link #ids()} returns a copy.
 */
public final class CalibrationWindows {
  private final long[][] ids;
  private final boolean bosFirst;

  /** Windows {@code ids} (copied; all of one length), {@code bosFirst} if each starts with a BOS put there. */
  public CalibrationWindows(long[][] ids, boolean bosFirst) {
    checkArgument(ids.length > 0, "no windows");
    this.ids = new long[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      checkArgument(ids[i].length == ids[0].length, "window %s has %s tokens, window 0 %s", i, ids[i].length,
          ids[0].length);
      this.ids[i] = ids[i].clone();
    }
    this.bosFirst = bosFirst;
  }

  /** A copy of the windows {@code [windows][length]}. */
  public long[][] ids() {
    long[][] c = new long[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      c[i] = ids[i].clone();
    }
    return c;
  }

  /** Whether each window starts with a BOS this class put there (its position is left out of statistics). */
  public boolean bosFirst() {
    return bosFirst;
  }

  /** Number of windows. */
  public int windows() {
    return ids.length;
  }

  /** Tokens per window, BOS included. */
  public int length() {
    return ids[0].length;
  }

  /**
   * Cuts calibration windows.
   *
   * @param tokenizer {@code tokenizer.json} to use instead of the model's
   * @param bos BOS id to use instead of the config's
   * @param window tokens per window (without BOS)
   * @param tokens calibration tokens wanted: {@code ⌊tokens / window⌋} windows, at least one
   * @throws IllegalArgumentException if the tokenizer or BOS is unknown or BOS is not a token of the model, or the
   *     text holds not one window
   * @throws org.ffnfuse.formats.ModelFormatException if a token id is outside the model's vocabulary
   */
  public static CalibrationWindows of(RunnableModel model, Path text, Optional<Path> tokenizer, Optional<Long> bos,
      int window, long tokens) throws IOException {
    checkArgument(window > 1 && tokens > 0, "window %s, tokens %s", window, tokens);
    int windows = (int) Math.max(1, Math.min(Integer.MAX_VALUE, tokens / window));
    OptionalLong vocab = ModelVocab.of(model.source());
    if (bos.isPresent()) {
      ModelVocab.checkBos(bos.get(), vocab, "--bos");
    }
    if (EvalTokens.isTokenFile(text)) {
      return new CalibrationWindows(TokenWindows.cut(EvalTokens.readIds(text, vocab), bos, window, windows),
          bos.isPresent());
    }
    Path tok = tokenizer.or(model::tokenizer).orElseThrow(() -> new IllegalArgumentException(
        "no tokenizer.json in or beside " + model.source() + "; give --tokenizer PATH"));
    Long b = bos.orElseGet(() -> model.bos().isPresent() ? model.bos().getAsLong() : null);
    if (b == null) {
      throw new IllegalArgumentException("the BOS token id is unknown (no config.json bos_token_id); give --bos ID");
    }
    return new CalibrationWindows(TokenWindows.cut(EvalTokens.tokenize(text, tok, vocab), Optional.of(b), window,
        windows), true);
  }
}

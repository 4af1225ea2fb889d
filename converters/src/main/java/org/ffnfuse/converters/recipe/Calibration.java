package org.ffnfuse.converters.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The {@code calibration:} section: the text the analysis steps ({@code drop_attention.auto}, {@code plan.threshold},
 * {@code plan.fuse}, {@code analyze}) run the model on.
 *
 * <pre>{@code
 * calibration:
 *   text: brown.txt   # required: UTF-8 text (tokenized with the model's tokenizer.json, BOS before each window)
 *                     #           or pre-tokenized ids {"ids":[…]} in a .json file (used as they are)
 *   tokens: 4096      # optional: use only the first N tokens (default: all)
 *   window: 256       # tokens per window (default 256)
 *   windows: 16       # windows at most (default 16)
 * }</pre>
 *
 * @param text key {@code text}: the calibration file, resolved against the recipe file's folder
 * @param tokens key {@code tokens}: use only the first N tokens of the text; empty = all
 * @param window key {@code window}: tokens per window (≥ 2)
 * @param windows key {@code windows}: windows at most (≥ 1)
 */
public record Calibration(Path text, OptionalInt tokens, int window, int windows) {
  /** Default {@code window}. */
  public static final int DEFAULT_WINDOW = 256;
  /** Default {@code windows}. */
  public static final int DEFAULT_WINDOWS = 16;

  public Calibration {
    checkNotNull(text);
    checkNotNull(tokens);
    checkArgument(tokens.isEmpty() || tokens.getAsInt() > 0, "calibration.tokens must be positive: %s", tokens);
    checkArgument(window >= 2, "calibration.window must be ≥ 2: %s", window);
    checkArgument(windows >= 1, "calibration.windows must be ≥ 1: %s", windows);
  }

  /** {@code text} with the default window, window count and no token limit. */
  public static Calibration of(Path text) {
    return new Calibration(text, OptionalInt.empty(), DEFAULT_WINDOW, DEFAULT_WINDOWS);
  }
}

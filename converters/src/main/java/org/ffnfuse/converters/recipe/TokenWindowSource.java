package org.ffnfuse.converters.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.ModelVocab;
import org.ffnfuse.converters.eval.TokenWindows;

/**
 * Token windows for the calibration and verify steps: a text tokenized with the model's tokenizer (BOS before each
 * window) or pre-tokenized ids (used as they are, no BOS added).
 */
final class TokenWindowSource {
  private TokenWindowSource() {}

  /**
   * Windows of {@code text} for the model {@code in}.
   *
   * @param field the recipe key named in errors ({@code calibration.text}, {@code verify.text})
   * @throws IllegalArgumentException if a tokenizer or the BOS id is needed but unknown, or the text is too short
   */
  static long[][] windows(ModelInput in, Path text, int window, int windows, OptionalInt maxTokens, String field)
      throws IOException {
    long[] ids;
    Optional<Long> bos;
    if (EvalTokens.isTokenFile(text)) {
      ids = EvalTokens.readIds(text, ModelVocab.of(in.path()));
      bos = Optional.empty();
    } else {
      Path tok = in.tokenizer().orElseThrow(() -> new IllegalArgumentException(field + ": " + text + " is text, but"
          + " there is no tokenizer.json " + (in.checkpoint() ? "in " : "beside ") + in.path()
          + "; put it there or give pre-tokenized ids ({\"ids\":[…]} in a .json file)"));
      if (in.bos().isEmpty()) {
        throw new IllegalArgumentException(field + ": the BOS token id of " + in.path() + " is unknown (no config.json"
            + " bos_token_id); give pre-tokenized ids ({\"ids\":[…]} in a .json file) instead");
      }
      ids = EvalTokens.tokenize(text, tok, ModelVocab.of(in.path()));
      bos = Optional.of(in.bos().getAsLong());
    }
    if (maxTokens.isPresent() && ids.length > maxTokens.getAsInt()) {
      ids = Arrays.copyOf(ids, maxTokens.getAsInt());
    }
    if (ids.length < window) {
      throw new IllegalArgumentException(field + ": " + text + " holds " + ids.length + " tokens"
          + (maxTokens.isPresent() ? " (after the tokens limit)" : "") + ", not even one window of " + window
          + "; give more text or a smaller window");
    }
    return TokenWindows.cut(ids, bos, window, windows);
  }
}

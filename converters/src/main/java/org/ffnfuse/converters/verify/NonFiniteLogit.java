package org.ffnfuse.converters.verify;

import java.util.Locale;
import java.util.Optional;

/**
 * The first logit of one model that is NaN or infinite: a model that produces one is broken, and every statistic
 * computed from it (perplexity, KL, top-1) is meaningless.
 *
 * @param model which model produced it
 * @param window evaluation window, 0-based
 * @param position token position inside that window, 0-based
 * @param vocabIndex vocabulary entry (index into the logits' last dimension)
 * @param value the value: NaN, +Infinity or −Infinity
 */
public record NonFiniteLogit(ModelRole model, int window, int position, int vocabIndex, float value) {

  /** The first non-finite entry of {@code logits [T][V]} (position-major), if any. */
  static Optional<NonFiniteLogit> find(ModelRole model, int window, float[][] logits) {
    for (int t = 0; t < logits.length; t++) {
      float[] row = logits[t];
      for (int v = 0; v < row.length; v++) {
        if (!Float.isFinite(row[v])) {
          return Optional.of(new NonFiniteLogit(model, window, t, v, row[v]));
        }
      }
    }
    return Optional.empty();
  }

  /** E.g. "fused model: logit NaN at window 3, position 17 (vocabulary entry 0)". */
  public String describe() {
    return String.format(Locale.ROOT, "%s model: logit %s at window %d, position %d (vocabulary entry %d)",
        model.label(), value, window, position, vocabIndex);
  }
}

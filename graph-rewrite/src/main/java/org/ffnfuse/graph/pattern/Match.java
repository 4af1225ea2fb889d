package org.ffnfuse.graph.pattern;

import java.util.Optional;
import java.util.function.Function;
import org.ffnfuse.graph.ir.Node;

/**
 * The outcome of a pattern at one anchor: what was found, or why not.
 *
 * @param <M> the record a pattern returns when it matches
 */
public sealed interface Match<M> {
  /** A successful match. */
  record Found<M>(M result) implements Match<M> {}

  /**
   * No match.
   *
   * @param at the node where matching failed ("" when not at a node)
   * @param reason what was expected and what was found
   */
  record Miss<M>(String at, String reason) implements Match<M> {
    @Override
    public String toString() {
      return at.isEmpty() ? reason : at + ": " + reason;
    }
  }

  static <M> Match<M> found(M result) {
    return new Found<>(result);
  }

  static <M> Match<M> miss(Node at, String reason) {
    return new Miss<>(at == null ? "" : at.toString(), reason);
  }

  static <M> Match<M> miss(String at, String reason) {
    return new Miss<>(at, reason);
  }

  /** The result, if found. */
  default Optional<M> found() {
    return this instanceof Found<M> f ? Optional.of(f.result()) : Optional.empty();
  }

  default boolean isFound() {
    return this instanceof Found;
  }

  /** Maps a found result; a miss stays a miss. */
  default <N> Match<N> map(Function<M, N> f) {
    if (this instanceof Found<M> found) {
      return new Found<>(f.apply(found.result()));
    }
    Miss<M> m = (Miss<M>) this;
    return new Miss<>(m.at(), m.reason());
  }
}

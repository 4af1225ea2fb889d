package org.ffnfuse.converters.export.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * A feed-forward network: {@code down(act(gate(x)) · up(x))} when {@code gate} is present (SwiGLU, GeGLU), else
 * {@code down(act(up(x)))} (GPT-2 {@code c_fc}/{@code c_proj}, NeoX {@code dense_h_to_4h}/{@code dense_4h_to_h}).
 */
public record FfnWeights(Optional<Linear> gate, Linear up, Linear down) {
  public FfnWeights {
    checkNotNull(gate);
    checkNotNull(up);
    checkNotNull(down);
    gate.ifPresent(g -> checkArgument(g.outFeatures() == up.outFeatures() && g.inFeatures() == up.inFeatures(),
        "gate %sx%s vs up %sx%s", g.inFeatures(), g.outFeatures(), up.inFeatures(), up.outFeatures()));
    checkArgument(down.inFeatures() == up.outFeatures(), "down takes %s features, up gives %s", down.inFeatures(),
        up.outFeatures());
  }

  public static FfnWeights gated(Linear gate, Linear up, Linear down) {
    return new FfnWeights(Optional.of(gate), up, down);
  }

  public static FfnWeights plain(Linear up, Linear down) {
    return new FfnWeights(Optional.empty(), up, down);
  }

  /** Inner width. */
  public long width() {
    return up.outFeatures();
  }
}

package org.ffnfuse.converters.heal;

import java.util.Locale;

/** How a fused block is fitted to its chain. */
public enum HealMethod {
  /** Ridge re-fit of the down projection (and branch scales), closed form, no training: {@link LeastSquaresHealer}. */
  LSTSQ,
  /** Adam on gate, up and down through a {@link DistillationBackend} (the optional TensorFlow module). */
  DISTILL;

  /** {@code lstsq} or {@code distill}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package org.ffnfuse.formats.config;

import java.util.Optional;

/** Rotary frequency schedules ({@code rope_type} / {@code rope_scaling.type}). */
public enum RopeType {
  /** {@code θ^(−2i/d)}. */
  DEFAULT("default"),
  /** Default frequencies divided by {@code factor} (position interpolation). */
  LINEAR("linear"),
  /** Llama 3.1's smooth per-frequency scaling. */
  LLAMA3("llama3");

  private final String hfName;

  RopeType(String hfName) {
    this.hfName = hfName;
  }

  public String hfName() {
    return hfName;
  }

  public static Optional<RopeType> fromHfName(String name) {
    for (RopeType t : values()) {
      if (t.hfName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}

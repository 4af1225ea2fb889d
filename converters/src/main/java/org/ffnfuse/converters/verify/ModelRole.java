package org.ffnfuse.converters.verify;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which of the two compared models a finding is about. */
public enum ModelRole {
  ORIGINAL,
  FUSED;

  /** {@code original} or {@code fused}, as reports spell it. */
  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package org.ffnfuse.converters.cli;

import org.ffnfuse.formats.tensor.Fp16Overflow;

/** {@code --fp16-overflow} values: what a finite weight beyond fp16's range (±65504) does with {@code --dtype fp16}. */
enum Fp16OverflowOption {
  /** Stop with an error naming the tensor and the value (exit 3); the default. */
  error(Fp16Overflow.ERROR),
  /** Clamp it to ±65504. */
  clamp(Fp16Overflow.CLAMP);

  final Fp16Overflow policy;

  Fp16OverflowOption(Fp16Overflow policy) {
    this.policy = policy;
  }
}

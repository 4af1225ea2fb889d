package org.ffnfuse.graph.pattern;

import java.util.Optional;

/**
 * Block-wise integer quantization of a linear layer's weight, as {@code com.microsoft} {@code MatMulNBits} stores it:
 * the weight is {@code [N, ceil(K / blockSize), blockSize · bits / 8]} bytes (row n holds output feature n, low nibble
 * first), and element {@code (n, k)} is {@code (q - zp) · scale[n, k / blockSize]}.
 *
 * @param bits bits per weight element (4 for the int4 the GenAI builder writes)
 * @param blockSize weight elements along K sharing one scale
 * @param scales the scales initializer ({@code [N, ceil(K / blockSize)]} or flat)
 * @param zeroPoints the zero-point initializer, if any; without one the zero point is {@code 2^(bits-1)}
 */
public record BlockQuantization(int bits, int blockSize, String scales, Optional<String> zeroPoints) {}

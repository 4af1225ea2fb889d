package org.ffnfuse.graph.structure;

import java.util.Optional;

/**
 * One transformer block: attention (absent after attention removal) followed by an FFN (absent for FFN no-op blocks).
 *
 * @param index position from the embedding, from 0
 * @param attention the attention branch, if any
 * @param ffn the FFN branch, if any
 * @param parallelResidual whether attention and FFN both read the block's input (GPT-NeoX, GPT-J)
 */
public record Block(int index, Optional<AttentionBranch> attention, Optional<FfnBranch> ffn,
    boolean parallelResidual) {}

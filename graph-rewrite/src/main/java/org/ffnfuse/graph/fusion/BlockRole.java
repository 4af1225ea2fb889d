package org.ffnfuse.graph.fusion;

/**
 * What a block holds, as far as planning is concerned.
 *
 * @param hasAttention whether the block has an attention (or linear-replacement) sub-block
 * @param hasFfn whether it has an FFN that can be fused (gated or plain MLP; not no-op or linear)
 */
public record BlockRole(boolean hasAttention, boolean hasFfn) {}

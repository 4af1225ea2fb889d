package org.ffnfuse.graph.structure;

import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.NormMatch;

/**
 * An FFN branch of the residual stream with the norm feeding it.
 *
 * @param ffn the FFN (kind, width, weights with orientation)
 * @param norm its pre-norm
 * @param residual where its output joins the residual stream
 */
public record FfnBranch(FfnMatch ffn, NormMatch norm, Residual residual) {}

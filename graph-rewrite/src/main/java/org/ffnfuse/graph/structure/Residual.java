package org.ffnfuse.graph.structure;

import java.util.Optional;
import org.ffnfuse.graph.ir.Node;

/**
 * Where a residual branch joins the stream: {@code output = stream + branch}.
 *
 * <pre>
 *   stream ──┬──────────────┐
 *            └─ norm ─ … ─ branch ─ Add ─ output
 * </pre>
 *
 * @param add the combining node: an {@code Add}, or a Skip*Normalization that also normalizes the sum. In a
 *     parallel-residual block (GPT-NeoX) attention and FFN share it: it adds their sum.
 * @param stream the residual-stream value it reads (the branch's input side, possibly a Cast alias of it)
 * @param output the stream value it produces; empty for a skip-norm op that does not expose the sum
 */
public record Residual(Node add, String stream, Optional<String> output) {}

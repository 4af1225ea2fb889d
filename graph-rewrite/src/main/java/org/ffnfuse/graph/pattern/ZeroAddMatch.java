package org.ffnfuse.graph.pattern;

import org.ffnfuse.graph.ir.Node;

/**
 * {@code output = input + zeros}.
 *
 * @param add the Add node
 * @param input the non-zero operand
 * @param output the sum, equal to {@code input}
 */
public record ZeroAddMatch(Node add, String input, String output) {}

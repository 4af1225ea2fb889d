/**
 * Declarative, read-only pattern matching over the graph IR. A {@link org.ffnfuse.graph.pattern.Pattern} names an
 * anchor op and returns a {@link org.ffnfuse.graph.pattern.Match}: a record of what it found, or why it did not match
 * (logged at FINE). Patterns are written with {@link org.ffnfuse.graph.pattern.Expr} trees; every pattern checks
 * with {@link org.ffnfuse.graph.pattern.SafeFusion} that no intermediate value escapes the matched nodes, so a pass can
 * remove them through a {@link org.ffnfuse.graph.ir.Rewriter}.
 */
package org.ffnfuse.graph.pattern;

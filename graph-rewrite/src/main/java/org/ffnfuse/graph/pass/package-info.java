/**
 * Graph passes: a {@link org.ffnfuse.graph.pass.Pass} has a name and reports what it did; the
 * {@link org.ffnfuse.graph.pass.PassManager} runs passes in order and verifies the graph after each.
 */
package org.ffnfuse.graph.pass;

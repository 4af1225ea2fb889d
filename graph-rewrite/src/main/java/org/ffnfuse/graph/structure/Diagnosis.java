package org.ffnfuse.graph.structure;

/**
 * Why a graph was not recognized.
 *
 * @param node the node (or value) where the walk stopped, e.g. {@code Add [/model/layers.3/Add_1]}
 * @param problem what was expected there and what was found
 */
public record Diagnosis(String node, String problem) {
  @Override
  public String toString() {
    return "at " + node + ": " + problem;
  }
}

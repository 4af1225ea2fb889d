package org.ffnfuse.converters.verify;

import java.util.List;

/**
 * One model's side of a verification.
 *
 * @param path the model as given
 * @param perplexity perplexity on the evaluation windows
 * @param cudaCompatible whether every operator has a CUDA EP kernel
 * @param unsupportedOps nodes whose operator lacks one
 * @param integrityProblems problems found in the files (missing or short external data, bad shards, checksums)
 */
public record ModelCheck(String path, double perplexity, boolean cudaCompatible, List<String> unsupportedOps,
    List<String> integrityProblems) {
  public ModelCheck {
    unsupportedOps = List.copyOf(unsupportedOps);
    integrityProblems = List.copyOf(integrityProblems);
  }

  /** This check with the model named {@code newPath}. */
  public ModelCheck withPath(String newPath) {
    return new ModelCheck(newPath, perplexity, cudaCompatible, unsupportedOps, integrityProblems);
  }
}

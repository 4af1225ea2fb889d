package org.ffnfuse.graph.pattern;

/** How a normalization is spelled in the graph. */
public enum NormForm {
  /** Primitive ops (Pow, ReduceMean, Add, Sqrt, Div/Reciprocal, Mul...). */
  DECOMPOSED,
  /** One op: LayerNormalization, SimplifiedLayerNormalization, RMSNormalization. */
  OPERATOR,
  /**
   * One op that also adds the residual: SkipLayerNormalization, SkipSimplifiedLayerNormalization (its output 3 is
   * the residual sum).
   */
  SKIP_OPERATOR
}

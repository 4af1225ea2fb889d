/**
 * Graph-side support for healing fused models: where each FFN chain's residual stream enters and leaves
 * ({@link org.ffnfuse.graph.heal.ChainBoundaries}), so the values can be exposed
 * ({@link org.ffnfuse.graph.pass.ExposeValues}) and collected on calibration text by the converters.
 */
package org.ffnfuse.graph.heal;

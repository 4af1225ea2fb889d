/**
 * Batch conversion of a model zoo: every checkpoint folder and ONNX file under a directory tree runs the same recipe
 * ({@link org.ffnfuse.converters.recipe.RecipeRunner}) on a pool of workers within a memory budget, resumably, one
 * failure not stopping the others ({@link org.ffnfuse.converters.batch.BatchRunner}).
 */
package org.ffnfuse.converters.batch;

/**
 * Recipes: the whole FFN-Fusion flow (drop attention → analyze → plan → fuse → export → verify → bench) declared in
 * one YAML file ({@link org.ffnfuse.converters.recipe.RecipeReader}, format in {@code docs/recipe.md}) and run on one
 * model by {@link org.ffnfuse.converters.recipe.RecipeRunner}, which writes the fused model and a report folder as
 * one unit.
 */
package org.ffnfuse.converters.recipe;

package org.ffnfuse.converters.recipe;

/**
 * How long one step of a run took.
 *
 * @param step the step's name (see {@link RunListener})
 * @param seconds wall time
 */
public record StepTime(String step, double seconds) {}

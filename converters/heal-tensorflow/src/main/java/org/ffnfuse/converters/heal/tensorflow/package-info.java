/**
 * The TensorFlow Java backend of {@code ffnfuse heal --method distill}
 * ({@link org.ffnfuse.converters.heal.tensorflow.TensorFlowDistillation}), registered for
 * {@link java.util.ServiceLoader}. Optional: built only with the Maven profile {@code heal}.
 */
package org.ffnfuse.converters.heal.tensorflow;

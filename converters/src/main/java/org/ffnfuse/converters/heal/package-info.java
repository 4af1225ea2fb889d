/**
 * Healing fused models ({@code ffnfuse heal}): blockwise local distillation of each fused FFN toward the chain of FFNs
 * it replaced. {@link org.ffnfuse.converters.heal.Healing} is the entry point;
 * {@link org.ffnfuse.converters.heal.ActivationCollector} gathers each chain's input and output on ONNX Runtime;
 * {@link org.ffnfuse.converters.heal.LeastSquaresHealer} is the closed-form fit, and
 * {@link org.ffnfuse.converters.heal.DistillationBackend} the service interface that the optional TensorFlow module
 * implements for training.
 */
package org.ffnfuse.converters.heal;

/**
 * Evaluation on ONNX Runtime shared by export tests and later verify/analyze commands: running exported causal LMs
 * with or without KV cache ({@link org.ffnfuse.converters.eval.OrtCausalLm}), tokenization with a model's
 * {@code tokenizer.json} ({@link org.ffnfuse.converters.eval.TextTokenizer}) and windowed
 * {@link org.ffnfuse.converters.eval.Perplexity}.
 */
package org.ffnfuse.converters.eval;

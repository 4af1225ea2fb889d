/** Comparing an original model with its fused version: accuracy on text, CUDA-operator coverage, file integrity. */
package org.ffnfuse.converters.verify;

/**
 * Connects files and graphs: checkpoint ↔ model importers and exporters, checkpoint → ONNX, calibration and analysis
 * on ONNX Runtime, verify, bench, heal, batch, and the {@code ffnfuse} command line.
 */
package org.ffnfuse.converters;

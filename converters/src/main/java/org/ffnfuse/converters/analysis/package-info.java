/**
 * Dependency analysis and fusion planning on calibration text (issue 6).
 *
 * <p>{@link org.ffnfuse.converters.analysis.AnalysisModel} runs a model's {@link
 * org.ffnfuse.graph.analysis.AnalysisGraph} (every residual branch scaled by a gate input) in one ONNX Runtime
 * session; {@link org.ffnfuse.converters.analysis.CalibrationRunner} streams calibration windows through it in
 * batches — the intact model and one gate setting per removed block, FFN or attention — and accumulates the block
 * dependency matrices, branch profiles and attention importance ({@link
 * org.ffnfuse.converters.analysis.AnalysisResult}) without keeping hidden states beyond one batch. {@link
 * org.ffnfuse.converters.analysis.FusionPlanner} turns the FFN dependency matrix into chains to fuse, {@link
 * org.ffnfuse.converters.analysis.AttentionSelection} picks attention to remove, and {@link
 * org.ffnfuse.converters.analysis.ReportFiles} writes the report folder (JSON, CSV, PNG charts, plan.json).
 */
package org.ffnfuse.converters.analysis;

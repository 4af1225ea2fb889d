/**
 * FFN Fusion and attention removal on checkpoints: plans applied to an
 * {@link org.ffnfuse.converters.export.model.ExportModel}, written back as a nemotron-nas checkpoint or as ONNX.
 */
package org.ffnfuse.converters.fuse;

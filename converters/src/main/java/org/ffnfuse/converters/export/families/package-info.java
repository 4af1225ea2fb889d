/**
 * Per-family checkpoint layouts ({@link org.ffnfuse.converters.export.families.FamilyLayout}): tensor names,
 * fused projections and weight orientation, one small class per family group, turning a checkpoint into an
 * {@link org.ffnfuse.converters.export.model.ExportModel}.
 */
package org.ffnfuse.converters.export.families;

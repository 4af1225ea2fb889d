/**
 * The in-memory description of a model to export: {@link org.ffnfuse.converters.export.model.ExportModel} (config
 * plus lazy weight tensors per block). Checkpoint loaders produce it; a fusion pass can produce a modified one (a
 * wider FFN of computed tensors, attention removed) and export it the same way.
 */
package org.ffnfuse.converters.export.model;

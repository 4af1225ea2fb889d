/**
 * File mechanics shared by every reader and writer: temporary names, atomic renames and cleanup on failure
 * ({@link org.ffnfuse.formats.io.AtomicFiles}), SHA-256 manifests of outputs ({@link org.ffnfuse.formats.io.Manifest}),
 * and strict UTF-8 reading of small JSON files ({@link org.ffnfuse.formats.io.TextFiles}).
 */
package org.ffnfuse.formats.io;

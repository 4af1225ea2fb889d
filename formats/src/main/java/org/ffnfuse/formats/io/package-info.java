/**
 * File mechanics shared by every reader and writer: temporary names, atomic renames and cleanup on failure
 * ({@link org.ffnfuse.formats.io.AtomicFiles}), SHA-256 manifests of outputs ({@link org.ffnfuse.formats.io.Manifest}),
 * strict UTF-8 reading of small text files ({@link org.ffnfuse.formats.io.TextFiles}), strict JSON reading with
 * duplicate keys refused ({@link org.ffnfuse.formats.io.JsonFiles}), and the refusal of outputs that would destroy an
 * input or replace a special file ({@link org.ffnfuse.formats.io.OutputGuard}).
 */
package org.ffnfuse.formats.io;

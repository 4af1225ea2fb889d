/**
 * safetensors files and checkpoints: a validating reader ({@link org.ffnfuse.formats.safetensors.SafetensorsFile},
 * {@link org.ffnfuse.formats.safetensors.SafetensorsCheckpoint} for one file or a sharded folder with
 * {@code model.safetensors.index.json}) whose tensors are lazy memory-mapped views, and a streaming writer
 * ({@link org.ffnfuse.formats.safetensors.SafetensorsWriter}) that shards like Hugging Face's {@code save_pretrained},
 * writes under temporary names and renames atomically, and can rewrite an existing file byte for byte.
 *
 * <p>Format (safetensors 0.4+): an unsigned 64-bit little-endian header length {@code n}; {@code n} bytes of UTF-8 JSON
 * mapping each tensor name to {@code {"dtype","shape","data_offsets":[begin,end]}} and the optional string map
 * {@code __metadata__}, padded with spaces; then the data section, where each tensor occupies {@code [begin, end)}
 * relative to its start ({@code 8 + n}). Tensor bytes are little-endian and row-major. As in the reference
 * implementation, the tensors must tile the data section exactly: no gaps, no overlaps, no trailing bytes.
 */
package org.ffnfuse.formats.safetensors;

package org.ffnfuse.formats.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How a safetensors file is laid out beyond its tensors' dtypes, shapes and bytes: the order of the header's keys, where
 * {@value #METADATA_KEY} sits among them, the order of the tensors' data, and the header length including padding.
 * With these, {@link SafetensorsWriter} rewrites a file byte for byte (see {@link SafetensorsWriter.Builder#layout}).
 *
 * @param keyOrder the header's top-level keys in file order: every tensor name, and {@value #METADATA_KEY} where it
 *     appeared (absent if the file has none)
 * @param dataOrder the tensor names in the order of their bytes in the data section (ascending {@code data_offsets})
 * @param headerLength the header length field: bytes of JSON plus trailing padding (spaces), not counting the 8-byte
 *     length itself; the data section starts at file offset {@code 8 + headerLength}
 */
public record SafetensorsHeaderLayout(List<String> keyOrder, List<String> dataOrder, long headerLength) {
  /** The header key holding the file's string-to-string metadata. */
  public static final String METADATA_KEY = "__metadata__";

  /**
   * @throws IllegalArgumentException if {@code dataOrder} is not a permutation of the tensor names in {@code keyOrder},
   *     a key repeats, or {@code headerLength} is negative
   */
  public SafetensorsHeaderLayout {
    keyOrder = List.copyOf(keyOrder);
    dataOrder = List.copyOf(dataOrder);
    checkArgument(headerLength >= 0, "negative header length %s", headerLength);
    Set<String> keys = new HashSet<>(keyOrder);
    checkArgument(keys.size() == keyOrder.size(), "a key repeats in %s", keyOrder);
    keys.remove(METADATA_KEY);
    checkArgument(dataOrder.size() == keys.size() && keys.containsAll(dataOrder),
        "data order %s is not a permutation of the tensor names %s", dataOrder, keyOrder);
  }

  /** The index of {@value #METADATA_KEY} in {@link #keyOrder()}, if the header has it. */
  public OptionalInt metadataPosition() {
    int i = keyOrder.indexOf(METADATA_KEY);
    return i < 0 ? OptionalInt.empty() : OptionalInt.of(i);
  }

  /** The tensor names in header order (without {@value #METADATA_KEY}). */
  public List<String> tensorNames() {
    return keyOrder.stream().filter(k -> !k.equals(METADATA_KEY)).toList();
  }

  /** File offset of the data section: {@code 8 + headerLength}. */
  public long dataStart() {
    return 8 + headerLength;
  }
}

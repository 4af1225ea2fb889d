package org.ffnfuse.converters.export.families;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Checked access to a checkpoint's tensors by name: a missing tensor, a wrong shape or a non-float dtype is a
 * {@link ModelFormatException} naming the checkpoint, the tensor, and expected vs found. It remembers what it handed
 * out ({@link #used()}), so that tensors nothing asked for can be reported.
 */
public final class TensorLookup {
  private final Path source;
  private final String family;
  private final BiFunction<String, long[], Optional<Tensor>> find;
  private final Set<String> used = new LinkedHashSet<>();

  private TensorLookup(Path source, String family, BiFunction<String, long[], Optional<Tensor>> find) {
    this.source = checkNotNull(source);
    this.family = checkNotNull(family);
    this.find = checkNotNull(find);
  }

  /** Tensors of an open checkpoint; {@code family} is named in messages. */
  public static TensorLookup of(SafetensorsCheckpoint checkpoint, String family) {
    return new TensorLookup(checkpoint.path(), family, (n, dims) -> checkpoint.find(n));
  }

  /** Tensors from a map (tests, computed models). */
  public static TensorLookup of(Path source, String family, Map<String, ? extends Tensor> tensors) {
    return new TensorLookup(source, family, (n, dims) -> Optional.ofNullable(tensors.get(n)));
  }

  /**
   * Tensors produced on request from their name and the expected shape (synthetic models for tests and
   * benchmarks); an empty result means "missing".
   */
  public static TensorLookup generated(Path source, String family, BiFunction<String, long[], Optional<Tensor>> gen) {
    return new TensorLookup(source, family, gen);
  }

  /** The checkpoint path (for messages). */
  public Path source() {
    return source;
  }

  /** Whether a tensor of this name exists. */
  public boolean contains(String name) {
    return find.apply(name, new long[0]).isPresent();
  }

  /** The tensor {@code name}, which must exist with shape {@code dims} and a float dtype. */
  public Tensor require(String name, long... dims) throws ModelFormatException {
    Optional<Tensor> t = find.apply(name, dims);
    if (t.isEmpty()) {
      throw new ModelFormatException(source, "tensor '" + name + "' is missing (expected shape "
          + Arrays.toString(dims) + " in a " + family + " checkpoint); does config.json match these weights?");
    }
    return check(name, t.get(), dims);
  }

  /** The tensor {@code name} if it exists, checked like {@link #require}. */
  public Optional<Tensor> optional(String name, long... dims) throws ModelFormatException {
    Optional<Tensor> t = find.apply(name, dims);
    return t.isEmpty() ? t : Optional.of(check(name, t.get(), dims));
  }

  /** {@link #require} when {@code present}, else empty (for config-controlled biases). */
  public Optional<Tensor> requireIf(boolean present, String name, long... dims) throws ModelFormatException {
    return present ? Optional.of(require(name, dims)) : Optional.empty();
  }

  /** The names {@link #require} and {@link #optional} have handed out so far, in that order. */
  public Set<String> used() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(used));
  }

  private Tensor check(String name, Tensor t, long[] dims) throws ModelFormatException {
    if (!t.shape().equals(Shape.of(dims))) {
      throw new ModelFormatException(source, "tensor '" + name + "' has shape " + t.shape() + ", expected "
          + Arrays.toString(dims) + " from config.json");
    }
    if (!t.dtype().convertsToFloat()) {
      throw new ModelFormatException(source, "tensor '" + name + "' has dtype " + t.dtype()
          + ", expected a float type (F32, F16, BF16)");
    }
    used.add(name);
    return t;
  }
}

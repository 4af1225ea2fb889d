package org.ffnfuse.graph.fusion;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which chains to fuse, sorted by first block. {@link #check} validates a plan against a model before anything is
 * written: every chain inside the model, no overlaps, no attention after a chain's first block, an FFN in every block.
 */
public record FusionPlan(List<ChainRange> chains) {
  public FusionPlan {
    List<ChainRange> sorted = new ArrayList<>(chains);
    sorted.sort(null);
    chains = ImmutableList.copyOf(sorted);
  }

  public static FusionPlan of(ChainRange... chains) {
    return new FusionPlan(List.of(chains));
  }

  /**
   * Parses {@code 8-13,20-25} (a single number {@code 7} is the one-FFN chain {@code 7-7}).
   *
   * @throws IllegalArgumentException naming the bad item
   */
  public static FusionPlan parse(String spec) {
    List<ChainRange> out = new ArrayList<>();
    for (String item : spec.split(",")) {
      String s = item.trim();
      if (s.isEmpty()) {
        continue;
      }
      String[] p = s.split("-", -1);
      try {
        if (p.length == 1) {
          int b = Integer.parseInt(p[0].trim());
          out.add(new ChainRange(b, b));
        } else if (p.length == 2) {
          out.add(new ChainRange(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())));
        } else {
          throw new IllegalArgumentException("chain '" + s + "' is not of the form FIRST-LAST (e.g. 8-13)");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("chain '" + s + "' is not of the form FIRST-LAST (e.g. 8-13)", e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no chains in '" + spec + "' (expected e.g. 8-13,20-25)");
    }
    return new FusionPlan(out);
  }

  /** Why this plan cannot apply to a model with these blocks, or empty if it can. */
  public Optional<String> problem(List<BlockRole> blocks) {
    int n = blocks.size();
    for (int i = 0; i < chains.size(); i++) {
      ChainRange c = chains.get(i);
      if (c.last() >= n) {
        return Optional.of("chain " + c + " crosses the end of the model (blocks 0-" + (n - 1) + ")");
      }
      if (i > 0 && chains.get(i - 1).overlaps(c)) {
        return Optional.of("chains " + chains.get(i - 1) + " and " + c + " overlap");
      }
      for (int b = c.first(); b <= c.last(); b++) {
        if (!blocks.get(b).hasFfn()) {
          return Optional.of("chain " + c + ": block " + b + " has no FFN to fuse");
        }
        if (b > c.first() && blocks.get(b).hasAttention()) {
          return Optional.of("chain " + c + ": block " + b + " has attention; only the chain's first block may"
              + " (remove it first with drop-attention, or start the chain at " + b + ")");
        }
      }
    }
    return Optional.empty();
  }

  /** Throws {@link IllegalArgumentException} with {@link #problem}'s message if the plan does not apply. */
  public void check(List<BlockRole> blocks) {
    problem(blocks).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
  }

  /** {@code 8-13,20-25}. */
  @Override
  public String toString() {
    return String.join(",", chains.stream().map(ChainRange::toString).toList());
  }
}

package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/** GatedFfnPattern.range: where a Split output or a Slice lies in a fused gate_up of width 24. */
class GatedFfnRangeTest {
  static Optional<long[]> range(TinyGraph t, String value) {
    Graph g = t.build();
    return GatedFfnPattern.range(g, g.producer(value).orElseThrow(), value, 24);
  }

  static TinyGraph gu() {
    return new TinyGraph().input("gu").longs("zero", 0).longs("twelve", 12).longs("big", Long.MAX_VALUE)
        .longs("minus12", -12).longs("one", 1).longs("two", 2).longs("last", -1);
  }

  @Test
  void split_evenHalves() {
    TinyGraph t = gu().node("Split", "gu -> a b");
    assertArrayEquals(new long[] {0, 12}, range(t, "a").orElseThrow());
    assertArrayEquals(new long[] {12, 24}, range(gu().node("Split", "gu -> a b"), "b").orElseThrow());
  }

  @Test
  void split_givenSizes_attributeOrInput() {
    assertArrayEquals(new long[] {10, 24}, range(gu().node("Split", "gu -> a b", ints("split", 10, 14)), "b")
        .orElseThrow());
    assertArrayEquals(new long[] {0, 10}, range(gu().longs("sizes", 10, 14).node("Split", "gu sizes -> a b"), "a")
        .orElseThrow());
    assertArrayEquals(new long[] {18, 24}, range(gu().longs("s3", 8, 10, 6).node("Split", "gu s3 -> a b c"), "c")
        .orElseThrow());
  }

  @Test
  void split_sizesNotAddingUpOrUneven_unknown() {
    assertTrue(range(gu().node("Split", "gu -> a b", ints("split", 10, 10)), "a").isEmpty());
    assertTrue(range(gu().node("Split", "gu -> a b", ints("split", 24)), "a").isEmpty());
    assertTrue(range(gu().node("Split", "gu -> a b c d e"), "a").isEmpty()); // 24 is not divisible by 5
  }

  @Test
  void slice_boundsFromEitherEnd() {
    assertArrayEquals(new long[] {0, 12}, range(gu().node("Slice", "gu zero twelve -> s"), "s").orElseThrow());
    assertArrayEquals(new long[] {12, 24}, range(gu().node("Slice", "gu twelve big -> s"), "s").orElseThrow());
    assertArrayEquals(new long[] {12, 24}, range(gu().node("Slice", "gu minus12 big last one -> s"), "s")
        .orElseThrow());
  }

  @Test
  void slice_emptyOrSteppedOrSeveralAxes_unknown() {
    assertTrue(range(gu().node("Slice", "gu twelve zero -> s"), "s").isEmpty());
    assertTrue(range(gu().node("Slice", "gu twelve twelve -> s"), "s").isEmpty());
    assertTrue(range(gu().node("Slice", "gu zero twelve last two -> s"), "s").isEmpty());
    assertTrue(range(gu().longs("axes", 0, 1).node("Slice", "gu zero twelve axes -> s"), "s").isEmpty());
    assertTrue(range(gu().input("n").node("Slice", "gu n twelve -> s"), "s").isEmpty());
    assertTrue(range(gu().input("n").node("Slice", "gu zero n -> s"), "s").isEmpty());
  }
}

package org.ffnfuse.converters.analysis;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.ffnfuse.graph.analysis.BranchKind;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts of an analysis (XChart, rendered headless). */
final class ReportCharts {
  static {
    System.setProperty("java.awt.headless", "true"); // servers and CI have no display
  }

  /** Values below this are drawn as this (log scale; a zero dependency has no logarithm). */
  private static final double FLOOR = 1e-6;

  private ReportCharts() {}

  /** A heatmap of the defined entries of {@code m}, colored by {@code log10}. */
  static void heatmap(BlockMatrix m, String title, Path png) throws IOException {
    int n = m.size();
    HeatMapChart c = new HeatMapChartBuilder().width(820).height(720).title(title)
        .xAxisTitle("block j (contribution measured)").yAxisTitle("block i (skipped)").build();
    c.getStyler().setShowValue(false);
    c.getStyler().setHeatMapValueDecimalPattern("0.00");
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setRangeColors(new Color[] {new Color(0x0d0887), new Color(0x7e03a8), new Color(0xcc4778),
        new Color(0xf89540), new Color(0xf0f921)});
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    List<Integer> axis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      axis.add(i);
    }
    List<Number[]> cells = new ArrayList<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (m.defined(i, j)) {
          double v = Math.log10(Math.max(FLOOR, m.get(i, j)));
          cells.add(new Number[] {j, i, v});
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    if (cells.isEmpty()) {
      cells.add(new Number[] {0, 0, 0.0});
      min = -1;
      max = 0;
    }
    min = Math.floor(min * 100) / 100; // round the legend's end labels
    max = Math.ceil(max * 100) / 100;
    c.getStyler().setMin(min);
    c.getStyler().setMax(max > min ? max : min + 1);
    c.addSeries("log10 cosine distance", axis, axis, cells);
    save(c, png);
  }

  /** Per-branch {@code cos(x, x+h)} (top) and {@code ‖h‖/‖x‖} (log scale). */
  static void profiles(List<BranchProfile> profiles, Path cosinePng, Path ratioPng) throws IOException {
    XYChart cos = new XYChartBuilder().width(820).height(480).title("cos(x, x + h(x)) per branch")
        .xAxisTitle("block").yAxisTitle("mean cosine").build();
    XYChart ratio = new XYChartBuilder().width(820).height(480).title("‖h(x)‖ / ‖x‖ per branch (log scale)")
        .xAxisTitle("block").yAxisTitle("mean norm ratio").build();
    ratio.getStyler().setYAxisLogarithmic(true);
    for (XYChart c : List.of(cos, ratio)) {
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
      c.getStyler().setChartBackgroundColor(Color.WHITE);
    }
    for (BranchKind k : BranchKind.values()) {
      List<Integer> x = new ArrayList<>();
      List<Double> yc = new ArrayList<>();
      List<Double> yr = new ArrayList<>();
      for (BranchProfile p : profiles) {
        if (p.kind() == k) {
          x.add(p.block());
          yc.add(p.cosine());
          yr.add(Math.max(FLOOR, p.normRatio()));
        }
      }
      if (!x.isEmpty()) {
        String name = k == BranchKind.ATTENTION ? "attention" : "FFN";
        cos.addSeries(name, x, yc).setMarker(SeriesMarkers.CIRCLE);
        ratio.addSeries(name, x, yr).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    if (cos.getSeriesMap().isEmpty()) {
      return;
    }
    save(cos, cosinePng);
    save(ratio, ratioPng);
  }

  /** KL of removing each attention / block / FFN, on a log scale. */
  static void kl(SortedMap<Integer, Double> attention, SortedMap<Integer, Double> block,
      SortedMap<Integer, Double> ffn, Path png) throws IOException {
    XYChart c = new XYChartBuilder().width(900).height(480)
        .title("KL(intact ‖ removed) of the next-token distribution (log scale)").xAxisTitle("block")
        .yAxisTitle("nats per token").build();
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    add(c, "attention removed", attention);
    add(c, "block skipped", block);
    add(c, "FFN skipped", ffn);
    if (!c.getSeriesMap().isEmpty()) {
      save(c, png);
    }
  }

  private static void add(XYChart c, String name, SortedMap<Integer, Double> values) {
    if (values.isEmpty()) {
      return;
    }
    List<Integer> x = new ArrayList<>(values.keySet());
    List<Double> y = new ArrayList<>();
    values.values().forEach(v -> y.add(Math.max(FLOOR, v)));
    c.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
  }

  private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> c, Path png) throws IOException {
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}

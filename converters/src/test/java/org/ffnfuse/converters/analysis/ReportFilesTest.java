package org.ffnfuse.converters.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.analysis.BranchKind;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report folder: every file present and parseable, report.json round-trips, plan.json is a fuse plan. */
class ReportFilesTest {
  @TempDir Path tmp;

  static AnalysisResult sample() {
    double[][] m = new double[4][4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        m[i][j] = i < j ? 0.01 * (i + 1) * (j + 1) : Double.NaN;
      }
    }
    m[1][2] = 0; // a zero dependency must survive the log-scale chart
    List<BranchProfile> profiles = List.of(new BranchProfile(0, BranchKind.ATTENTION, 0.9, 0.5),
        new BranchProfile(0, BranchKind.FFN, 0.95, 0.3), new BranchProfile(1, BranchKind.FFN, 0.99, 0.0),
        new BranchProfile(2, BranchKind.FFN, 0.98, 0.1), new BranchProfile(3, BranchKind.ATTENTION, 0.97, 0.2),
        new BranchProfile(3, BranchKind.FFN, 0.96, 0.2));
    return new AnalysisResult("model.onnx", List.of(true, false, false, true), List.of(true, true, true, true),
        Optional.of(BlockMatrix.of(m)), Optional.of(BlockMatrix.of(m)), profiles,
        new TreeMap<>(java.util.Map.of(0, 0.5, 3, 0.01)), new TreeMap<>(java.util.Map.of(0, 1.0, 1, 0.2, 2, 0.1,
            3, 0.3)), new TreeMap<>(java.util.Map.of(0, 0.4, 1, 0.0, 2, 0.05, 3, 0.2)), new PassCount(13, 2, 26),
        2048, 2040, 8, 256, 12.5, 0.25);
  }

  @Test
  void write_everyFilePresentAndParseable() throws Exception {
    AnalysisResult r = sample();
    FusionPlanner.Plan plan = FusionPlanner.plan(r, new FusionPlanner.Options(java.util.OptionalDouble.empty(),
        java.util.OptionalInt.empty(), true));
    Path dir = tmp.resolve("report");
    ReportFiles.write(dir, r, plan);
    for (String f : List.of("report.json", "summary.csv", "profiles.csv", "kl.csv", "block-matrix.csv",
        "ffn-matrix.csv", "plan.json")) {
      assertTrue(Files.size(dir.resolve(f)) > 0, f);
    }
    for (String png : List.of("block-matrix.png", "ffn-matrix.png", "profiles-cosine.png",
        "profiles-norm-ratio.png", "kl.png")) {
      BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
      assertNotNull(img, png + " decodes");
      assertTrue(img.getWidth() >= 800, png);
    }
    List<String> csv = Files.readAllLines(dir.resolve("block-matrix.csv"));
    assertEquals(5, csv.size(), "header + 4 rows");
    assertEquals(5, csv.get(1).split(",", -1).length);
    assertEquals("", csv.get(1).split(",", -1)[1], "undefined [0][0] is empty");
    assertEquals(0.02, Double.parseDouble(csv.get(1).split(",", -1)[2]), 1e-9);
    assertTrue(Files.readString(dir.resolve("summary.csv")).contains("passes_total,26"));
    assertEquals(FusionPlan.parse("1-2"), PlanFile.read(dir.resolve("plan.json")), "fuse --plan reads it");
  }

  @Test
  void read_roundTrip() throws Exception {
    AnalysisResult r = sample();
    Path dir = tmp.resolve("report");
    ReportFiles.write(dir, r, new FusionPlanner.Plan(List.of(), "default"));
    assertEquals(r, ReportFiles.read(dir));
    assertTrue(Files.notExists(dir.resolve("plan.json")), "no plan.json when nothing is worth fusing");
  }

  @Test
  void write_existingNonEmptyFolder_refusedUntouched() throws Exception {
    Path dir = tmp.resolve("report");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("keep.txt"), "x");
    assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> ReportFiles.write(dir, sample(),
        new FusionPlanner.Plan(List.of(), "default")));
    assertEquals("x", Files.readString(dir.resolve("keep.txt")));
  }

  @Test
  void read_malformed_namesFileAndField() throws Exception {
    Path dir = tmp.resolve("bad");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.json"), "{\"model\":\"m\",\"attention\":[true],\"ffn\":[true, false]}");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ReportFiles.read(dir));
    assertTrue(e.getMessage().contains("report.json") && e.getMessage().contains("'ffn'"), e.getMessage());
    Files.writeString(dir.resolve("report.json"), "{not json");
    assertThrows(ModelFormatException.class, () -> ReportFiles.read(dir));
  }
}

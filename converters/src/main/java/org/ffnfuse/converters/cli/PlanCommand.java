package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.analysis.AnalysisResult;
import org.ffnfuse.converters.analysis.CalibrationWindows;
import org.ffnfuse.converters.analysis.FusionPlanner;
import org.ffnfuse.converters.analysis.PlanVerification;
import org.ffnfuse.converters.analysis.PlannedChain;
import org.ffnfuse.converters.analysis.ReportFiles;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.formats.io.OutputGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse plan}: chains to fuse from an analysis report. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Propose FFN chains to fuse from an analysis report (ffnfuse analyze), scored by the FFN",
        "dependency matrix; write plan.json for 'ffnfuse fuse --plan'."})
final class PlanCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "REPORT", description = "report folder of ffnfuse analyze")
  Path report;

  @Option(names = "--threshold", description = "merge chains while their largest dependency M_max stays ≤ this")
  Double threshold;

  @Option(names = "--fuse", description = "fuse this many FFNs in total")
  Integer fuse;

  @Option(names = "--include-last", description = "allow the last FFN of each attention-free run into chains")
  boolean includeLast;

  @Option(names = "--verify", converter = ReadableFile.class, paramLabel = "TEXT",
      description = "measure candidate plans' perplexity on this text and keep the best")
  Path verify;

  @Option(names = "--model", description = "model to fuse for --verify (default: the one the report analysed)")
  Path model;

  @Option(names = "--verify-windows", defaultValue = "16", description = "windows for --verify (default: 16)")
  int verifyWindows;

  @Option(names = "--window", defaultValue = "256", description = "tokens per --verify window (default: 256)")
  int window;

  @Option(names = "--candidates", defaultValue = "5", description = "plans tried by --verify (default: 5)")
  int candidates;

  @Mixin
  ThreadsOption threads;

  @Option(names = {"-o", "--output"}, required = true, description = "plan.json to write")
  Path output;

  @Override
  public Integer call() throws IOException, OrtException {
    OutputGuard.create().input(report).input(Optional.ofNullable(verify))
        .inputs(model == null ? List.of() : ModelPaths.inputs(model)).output(output).check();
    AnalysisResult r = ReportFiles.read(report);
    FusionPlanner.Options o = new FusionPlanner.Options(
        threshold == null ? OptionalDouble.empty() : OptionalDouble.of(threshold),
        fuse == null ? OptionalInt.empty() : OptionalInt.of(fuse), includeLast);
    FusionPlanner.Plan plan = FusionPlanner.plan(r, o);
    if (plan.chains().isEmpty()) {
      throw new IllegalArgumentException("no chain qualifies (" + o.rule() + "); raise --threshold, add"
          + " --include-last, or remove attention first (drop-attention)");
    }
    ObjectNode json;
    if (verify != null) {
      Path m = model != null ? model : Path.of(r.model());
      List<FusionPlanner.Plan> cands = FusionPlanner.candidates(FusionPlanner.scoringMatrix(r),
          FusionPlanner.regions(r.attention(), r.ffn(), includeLast), plan, candidates);
      CalibrationWindows w;
      try (RunnableModel rm = RunnableModel.open(m)) {
        w = CalibrationWindows.of(rm, verify, Optional.empty(), Optional.empty(), window,
            (long) window * verifyWindows);
      }
      PlanVerification.Outcome v = PlanVerification.verify(m, cands, w, threads.value(),
          s -> System.err.println("plan: " + s));
      json = ReportFiles.planJson(v.best().plan(), r);
      json.put("verifiedPerplexity", v.best().perplexity()).put("unfusedPerplexity", v.unfused());
      ArrayNode a = json.putArray("candidates");
      for (PlanVerification.Measured c : v.candidates()) {
        a.addObject().put("chains", c.plan().fusionPlan().toString()).put("perplexity", c.perplexity());
      }
      plan = v.best().plan();
    } else {
      json = ReportFiles.planJson(plan, r);
    }
    PlanFile.write(json, output);
    StringBuilder sb = new StringBuilder("plan (" + plan.rule() + "):");
    for (PlannedChain c : plan.chains()) {
      sb.append(String.format(Locale.ROOT, " %d-%d (M_max %.4f, M_sum %.4f)", c.first(), c.last(),
          c.maxDependency(), c.sumDependency()));
    }
    System.out.println(sb.append("; ").append(plan.fusedFfns()).append(" FFNs; wrote ").append(output));
    return 0;
  }
}

package org.ffnfuse.converters.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.inspect.ModelInspector;
import org.ffnfuse.formats.Printable;
import org.ffnfuse.graph.structure.ModelSummary;
import org.ffnfuse.graph.structure.ModelSummary.BlockSummary;
import org.ffnfuse.graph.structure.ModelSummary.ChainSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ffnfuse inspect}: blocks, FFN chains and parameter counts of a checkpoint or an ONNX graph. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Show a model's blocks (attention, FFN kind and width, norm), its FFN chains and parameter counts.",
        "An ONNX graph is recognized structurally; one that cannot be is reported with the node where the walk"
            + " stopped (exit code 3)."})
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "checkpoint folder or .onnx file")
  Path model;

  @Option(names = "--json", description = "print the summary as JSON ({\"blocks\":[…],\"chains\":[…],…})")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ModelSummary s = ModelInspector.inspect(model);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(s));
    } else {
      out.print(Printable.escapeLines(table(model, s))); // names and paths can hold escape sequences
    }
    out.flush();
    return 0;
  }

  /** The human-readable form. */
  static String table(Path model, ModelSummary s) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s: %d blocks, hidden %d, vocab %d, final norm %s, %s embeddings%n",
        model, s.blocks().size(), s.hidden(), s.vocab(), s.finalNorm(), s.tiedEmbeddings() ? "tied" : "untied"));
    b.append(String.format(Locale.ROOT, "%5s  %-20s %-9s %6s  %-10s %-9s %12s %12s%n", "block", "attention", "ffn",
        "width", "activation", "norm", "attn params", "ffn params"));
    for (BlockSummary x : s.blocks()) {
      String attn = x.attention() ? x.attentionKind() : "none";
      if (x.parallelResidual()) {
        attn += " (parallel)";
      }
      b.append(String.format(Locale.ROOT, "%5d  %-20s %-9s %6d  %-10s %-9s %,12d %,12d%n", x.index(), attn, x.ffn(),
          x.ffnWidth(), x.activation(), x.norm(), x.attentionParameters(), x.ffnParameters()));
    }
    if (s.chains().isEmpty()) {
      b.append("FFN chains: none\n");
    } else {
      b.append("FFN chains:");
      for (ChainSummary c : s.chains()) {
        b.append(String.format(Locale.ROOT, " %d-%d (%d FFNs)", c.first(), c.last(), c.last() - c.first() + 1));
      }
      b.append('\n');
    }
    ModelSummary.ParameterSummary p = s.parameters();
    b.append(String.format(Locale.ROOT, "parameters: %,d total (embedding %,d, attention %,d, FFN %,d)%n", p.total(),
        p.embedding(), p.attention(), p.ffn()));
    return b.toString();
  }
}

package org.ffnfuse.converters.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.io.Manifest;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxWriteOptions;

/**
 * The paths behind a model argument, for {@link OutputGuard}: what reading a model reads, and what writing a model
 * output writes.
 */
public final class ModelPaths {
  private ModelPaths() {}

  /** Files beside an .onnx model that commands read with it (the config's BOS id, the tokenizer), when there. */
  private static final List<String> READ_BESIDE_ONNX = List.of("config.json", "tokenizer.json");

  /**
   * The inputs of reading {@code model}: an .onnx file, each external data file it refers to and the
   * {@code config.json} and {@code tokenizer.json} beside it; or a checkpoint folder (with every file in it).
   */
  public static List<OutputGuard.Input> inputs(Path model) throws IOException {
    List<OutputGuard.Input> out = new ArrayList<>();
    out.add(new OutputGuard.Input(model, ""));
    for (Path data : externalData(model)) {
      out.add(new OutputGuard.Input(data, "external data of " + model));
    }
    for (Path f : beside(model)) {
      out.add(new OutputGuard.Input(f, "read with " + model));
    }
    return out;
  }

  /**
   * Every file of {@code model}: an .onnx file, its external data files and the files read beside it (as
   * {@link #inputs}), or every regular file below a checkpoint folder (through links), sorted.
   */
  public static List<Path> files(Path model) throws IOException {
    if (!Files.isDirectory(model)) {
      List<Path> out = new ArrayList<>(List.of(model));
      out.addAll(externalData(model));
      out.addAll(beside(model));
      return out;
    }
    try (Stream<Path> s = Files.walk(model.toRealPath())) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** The files of {@link #READ_BESIDE_ONNX} that exist beside an .onnx {@code model}. */
  private static List<Path> beside(Path model) {
    if (!Files.isRegularFile(model) || !CheckpointOutput.isOnnx(model)) {
      return List.of();
    }
    return READ_BESIDE_ONNX.stream().map(model::resolveSibling).filter(Files::isRegularFile).toList();
  }

  /**
   * The external data files of an .onnx {@code model}; none for anything else, or for a file that does not parse (the
   * command reports it when it opens the model, and a batch isolates it).
   */
  private static Set<Path> externalData(Path model) throws IOException {
    if (!Files.isRegularFile(model) || !CheckpointOutput.isOnnx(model)) {
      return Set.of();
    }
    try {
      return OnnxModel.externalDataFiles(model);
    } catch (ModelFormatException e) {
      return Set.of();
    }
  }

  /**
   * The outputs of writing a model to {@code out}: for {@code *.onnx} the model, its external data file and its
   * manifest ({@link OnnxWriteOptions#dataFileNameFor}, {@link Manifest#fileFor}); else the checkpoint folder.
   */
  public static List<OutputGuard.Output> outputs(Path out) {
    if (!CheckpointOutput.isOnnx(out)) {
      return List.of(new OutputGuard.Output(out, ""));
    }
    Path data = out.resolveSibling(OnnxWriteOptions.defaults().dataFileNameFor(out));
    Path manifest = Manifest.fileFor(out);
    return List.of(new OutputGuard.Output(out, ""), new OutputGuard.Output(data, "the external data of " + out),
        new OutputGuard.Output(manifest, "the manifest of " + out));
  }
}

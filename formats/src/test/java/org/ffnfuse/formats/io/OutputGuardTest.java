package org.ffnfuse.formats.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputGuardTest {
  @TempDir Path dir;
  Path ckpt;
  Path shard;

  @BeforeEach
  void checkpoint() throws IOException {
    ckpt = Files.createDirectories(dir.resolve("ckpt"));
    shard = Files.writeString(ckpt.resolve("model.safetensors"), "weights");
  }

  private String refusal(Path input, Path output) {
    return assertThrows(IllegalArgumentException.class,
        () -> OutputGuard.create().input(input).output(output).check()).getMessage();
  }

  @Test
  void check_outputBesideTheInputFolder_passes() throws IOException {
    OutputGuard.create().input(ckpt).output(dir.resolve("out")).output(dir.resolve("m.onnx")).check();
  }

  @Test
  void check_outputIsAFileOfTheInputFolder_namesBoth() {
    assertEquals("output " + shard + " would overwrite the input " + shard + " (the same file): ffnfuse never writes"
        + " over its inputs; choose another output", refusal(shard, shard));
    assertTrue(refusal(ckpt, shard).startsWith("output " + shard + " would overwrite " + shard + " of the input "
        + ckpt + " (the same file)"), refusal(ckpt, shard));
  }

  @Test
  void check_outputNotYetThereInsideTheInputFolder_refused() {
    Path out = ckpt.resolve("sub/new.onnx");
    assertEquals("output " + out + " is inside the input folder " + ckpt + ": ffnfuse never writes into its inputs;"
        + " choose an output outside it", refusal(ckpt, out));
  }

  @Test
  void check_outputHoldsTheInput_refused() {
    assertTrue(refusal(shard, dir).startsWith("output " + dir + " holds the input " + shard), refusal(shard, dir));
  }

  @Test
  void check_outputThroughSymlinkedFolderOrDotDot_refused() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("link"), ckpt);
    refusal(shard, link.resolve("model.safetensors"));
    refusal(shard, dir.resolve("elsewhere/../ckpt/model.safetensors"));
    refusal(ckpt, link.resolve("x.json"));
  }

  @Test
  void check_outputIsAHardLinkToAFileOfTheInputFolder_refused() throws IOException {
    Path hard = Files.createLink(dir.resolve("hard.safetensors"), shard);
    assertTrue(refusal(ckpt, hard).contains("would overwrite " + shard + " of the input " + ckpt), refusal(ckpt,
        hard));
  }

  @Test
  void check_inputMissing_isSkipped() throws IOException {
    OutputGuard.create().input(dir.resolve("absent")).output(dir.resolve("absent")).check();
  }

  @Test
  void check_outputIsAFifo_refusedNamingTheKind() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    assertTrue(refusal(shard, fifo).startsWith(fifo + ": output is a FIFO (named pipe), not a regular file"));
  }
}

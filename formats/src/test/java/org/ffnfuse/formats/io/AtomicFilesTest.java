package org.ffnfuse.formats.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<Path> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void write_success_leavesOnlyTargets() throws IOException {
    AtomicFiles.writeString(dir.resolve("a.json"), "{}");
    assertEquals("{}", Files.readString(dir.resolve("a.json")));
    assertEquals(List.of(dir.resolve("a.json")), listing());
  }

  @Test
  void write_failureInSecondFile_leavesNothing_andKeepsOldTarget() throws IOException {
    Files.writeString(dir.resolve("a.bin"), "old");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(List.of(
        new AtomicFiles.Job(dir.resolve("a.bin"), ch -> ch.write(ByteBuffer.wrap(new byte[] {1, 2}))),
        new AtomicFiles.Job(dir.resolve("b.bin"), ch -> {
          throw new IOException("disk full");
        }))));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(dir.resolve("a.bin")));
    assertEquals(List.of(dir.resolve("a.bin")), listing());
  }

  @Test
  void writeString_targetIsAFifo_refusedAndTheFifoStays() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AtomicFiles.writeString(fifo, "{}"));
    assertEquals(fifo + ": output is a FIFO (named pipe), not a regular file; ffnfuse writes outputs under a temporary"
        + " name and renames them into place, which would replace it: choose a regular file path", e.getMessage());
    assertFalse(Files.isRegularFile(fifo));
    assertEquals(List.of(fifo), listing());
  }

  @Test
  void isTemporary_recognisesOurNames() {
    assertFalse(AtomicFiles.isTemporary("model.onnx"));
    assertEquals(true, AtomicFiles.isTemporary(AtomicFiles.tempPrefix("model.onnx") + "abc"));
  }

  @Test
  void writeFolder_success_appearsWhole() throws IOException {
    Path out = dir.resolve("out");
    AtomicFiles.writeFolder(out, d -> Files.writeString(d.resolve("config.json"), "{}"));
    assertEquals("{}", Files.readString(out.resolve("config.json")));
    assertEquals(List.of(out), listing());
  }

  @Test
  void writeFolder_failure_leavesNothing() {
    Path out = dir.resolve("out");
    assertThrows(IOException.class, () -> AtomicFiles.writeFolder(out, d -> {
      Files.writeString(d.resolve("model.safetensors"), "partial");
      throw new IOException("disk full");
    }));
    assertEquals(List.of(), assertDoesNotThrowListing());
  }

  @Test
  void writeFolder_existingNonEmptyTarget_isRefused() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "x");
    assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> AtomicFiles.writeFolder(out, d -> Files.writeString(d.resolve("a"), "b")));
    assertEquals("x", Files.readString(out.resolve("keep.txt")));
  }

  private List<Path> assertDoesNotThrowListing() {
    try {
      return listing();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

package org.ffnfuse.formats.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure messages of {@link AtomicFiles}: a disk that fills up (simulated by content that fails as the kernel reports
 * ENOSPC; the CLI fault tests use a real tmpfs), and errors that must pass through unchanged.
 */
class AtomicFilesFaultTest {
  @TempDir Path dir;

  /** Writes a megabyte, then fails the way FileChannel.write does on a full disk. */
  private static final AtomicFiles.Content FILLS_DISK = ch -> {
    ch.write(ByteBuffer.allocate(1 << 20));
    throw new IOException("No space left on device");
  };

  private List<Path> listing(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(p -> !p.equals(folder)).toList();
    }
  }

  @Test
  void write_diskFull_namesTheTargetAndDeletesTheTemporaryFile() throws IOException {
    Path target = dir.resolve("model.onnx.data");
    FileSystemException e = assertThrows(FileSystemException.class,
        () -> AtomicFiles.write(List.of(new AtomicFiles.Job(target, FILLS_DISK))));
    assertEquals(target.toString(), e.getFile());
    assertTrue(e.getMessage().contains("no space left on device"), e.getMessage());
    assertTrue(AtomicFiles.isNoSpace(e));
    assertEquals(List.of(), listing(dir));
  }

  @Test
  void writeFolder_diskFull_namesTheOutputFolderAndTheFile_andDeletesEverything() throws IOException {
    Path out = dir.resolve("fused");
    FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeFolder(out, tmp -> {
      Files.writeString(tmp.resolve("config.json"), "{}");
      AtomicFiles.write(List.of(new AtomicFiles.Job(tmp.resolve("model.safetensors"), FILLS_DISK)));
    }));
    assertEquals(out.toAbsolutePath().normalize().toString(), e.getFile());
    assertTrue(e.getMessage().contains("no space left on device (writing model.safetensors)"), e.getMessage());
    assertEquals(List.of(), listing(dir));
  }

  @Test
  void write_otherFailures_passThroughUnchanged() {
    ModelFormatException bad = new ModelFormatException(dir.resolve("in.safetensors"), "tensor 'x': truncated");
    IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(List.of(
        new AtomicFiles.Job(dir.resolve("out"), ch -> {
          throw bad;
        }))));
    assertSame(bad, thrown);
    assertFalse(AtomicFiles.isNoSpace(bad));
  }

  @Test
  void writeFolder_parentIsAFile_namesTheOutput() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    Path out = file.resolve("fused");
    FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeFolder(out, tmp -> {}));
    assertEquals(out.toAbsolutePath().normalize().toString(), e.getFile());
    assertTrue(e.getMessage().contains("cannot create the output folder"), e.getMessage());
  }
}

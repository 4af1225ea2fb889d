package org.ffnfuse.converters.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class ErrorHandlerTest {
  @Test
  void describe_fileSystemErrors_namePathAndReasonWithoutExceptionClass() {
    assertEquals("out: output exists and is not an empty folder", ErrorHandler.describe(
        new FileAlreadyExistsException("out", null, "output exists and is not an empty folder")));
    assertEquals("plan.json: no such file (plan file not found)",
        ErrorHandler.describe(new NoSuchFileException("plan.json", null, "plan file not found")));
    assertEquals("java.io.IOException: boom", ErrorHandler.describe(new IOException("boom")));
  }
}

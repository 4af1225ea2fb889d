package org.ffnfuse.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.ffnfuse.formats.ModelFormatException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Untrusted ONNX files: every malformed input is a {@link ModelFormatException} whose message names the file and the
 * offending tensor, and says what was expected.
 */
class OnnxModelBadInputTest {
  @TempDir Path dir;

  private ModelFormatException assertBad(Path file, String... fragments) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxModel.open(file).close());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
    }
    return e;
  }

  private ModelFormatException assertBad(ModelProto m, String... fragments) throws IOException {
    return assertBad(TestModels.save(m, dir.resolve("bad.onnx")), fragments);
  }

  private static TensorProto.Builder floats(String name, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT_VALUE);
    Arrays.stream(dims).forEach(t::addDims);
    return t;
  }

  @Nested
  class NotAModel {
    @Test
    void open_textFile_notAModel() throws IOException {
      Path f = Files.writeString(dir.resolve("text.onnx"), "this is not an ONNX model\n", StandardCharsets.UTF_8);
      assertBad(f, "not an ONNX model");
    }

    @Test
    void open_randomBytes_notAModel() throws IOException {
      byte[] junk = new byte[4096];
      new Random(11).nextBytes(junk);
      assertBad(Files.write(dir.resolve("junk.onnx"), junk), "not an ONNX model");
    }

    @Test
    void open_emptyFile_notAModel() throws IOException {
      assertBad(Files.write(dir.resolve("empty.onnx"), new byte[0]), "empty file");
    }

    @Test
    void open_truncatedModel_notAModelOrTruncated() throws IOException {
      byte[] whole = TestModels.linear(1).toByteArray();
      Path f = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(whole, whole.length / 2));
      assertBad(f, "truncated");
    }

    @Test
    void open_fileOver2GiB_pointsToExternalData() throws IOException {
      Path f = dir.resolve("huge.onnx");
      try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
        r.setLength(Integer.MAX_VALUE + 1L); // sparse: costs no disk
      }
      assertBad(f, "2 GiB", "external data");
    }

    @Test
    void open_protobufWithoutGraph_notAModel() throws IOException {
      assertBad(ModelProto.newBuilder().setIrVersion(10).build(), "no ModelProto.graph");
    }
  }

  @Nested
  class InProtoData {
    @Test
    void open_unknownDataType_namesTensorAndCode() throws IOException {
      assertBad(TestModels.withInitializers(floats("odd", 1).setDataType(99).setRawData(
          com.google.protobuf.ByteString.copyFrom(new byte[4])).build()), "'odd'", "data_type 99", "supported:");
    }

    @Test
    void open_undefinedDataType_namesTensor() throws IOException {
      assertBad(TestModels.withInitializers(floats("undef", 1).setDataType(0).build()), "'undef'",
          "data_type 0 (UNDEFINED)");
    }

    @Test
    void open_unsupportedOnnxType_namesTypeName() throws IOException {
      assertBad(TestModels.withInitializers(floats("str", 1).setDataType(DataType.STRING_VALUE)
          .addStringData(com.google.protobuf.ByteString.copyFromUtf8("x")).build()), "'str'", "STRING");
    }

    @Test
    void open_negativeDim_namesTensor() throws IOException {
      assertBad(TestModels.withInitializers(floats("neg", 2, -3).build()), "'neg'", "negative dimension",
          "[2, -3]");
    }

    @Test
    void open_dimsOverflow_namesTensor() throws IOException {
      assertBad(TestModels.withInitializers(floats("huge", 1L << 40, 1L << 40).build()), "'huge'",
          "more elements");
    }

    @Test
    void open_rawDataShort_namesTensorExpectedAndActual() throws IOException {
      assertBad(TestModels.withInitializers(TestModels.raw("w", DataType.FLOAT_VALUE, new byte[10], 2, 3)),
          "'w'", "raw_data has 10 bytes, expected 24");
    }

    @Test
    void open_typedCountMismatch_namesTensorAndField() throws IOException {
      assertBad(TestModels.withInitializers(floats("f", 3).addFloatData(1f).build()), "'f'", "float_data",
          "expected 3", "found 1");
    }

    @Test
    void open_noDataAtAll_namesTensor() throws IOException {
      assertBad(TestModels.withInitializers(floats("nodata", 4).build()), "'nodata'", "found 0");
    }

    @Test
    void open_rawAndTypedData_namesTensor() throws IOException {
      assertBad(TestModels.withInitializers(floats("both", 1).addFloatData(1f)
          .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[4])).build()), "'both'", "raw_data");
    }

    @Test
    void open_duplicateInitializer_namesTensor() throws IOException {
      TensorProto t = TestModels.raw("dup", DataType.FLOAT_VALUE, new byte[4], 1);
      assertBad(TestModels.withInitializers(t, t), "'dup'", "twice");
    }
  }

  @Nested
  class Versions {
    @Test
    void open_irVersionFromTheFuture_namesSupportedRange() throws IOException {
      ModelFormatException e = assertBad(TestModels.linear(1).toBuilder().setIrVersion(999).build());
      assertEquals(dir.resolve("bad.onnx") + ": ir_version 999 is newer than this reader knows (supported: 3..12,"
          + " ONNX 1.2 to 1.19); save the model with an older onnx", e.getMessage());
    }

    @Test
    void open_noIrVersion_fails() throws IOException {
      assertBad(TestModels.linear(1).toBuilder().clearIrVersion().build(), "ir_version 0 is missing or too old",
          "supported: 3..12");
    }

    @Test
    void open_noOpsetImport_fails() throws IOException {
      ModelFormatException e = assertBad(TestModels.linear(1).toBuilder().clearOpsetImport().build());
      assertEquals(dir.resolve("bad.onnx") + ": opset_import has no entry for the default ONNX domain ('' or"
          + " 'ai.onnx') (found 0 entries); without it no operator has a meaning, so the model is invalid"
          + " (onnx.checker refuses it too)", e.getMessage());
    }

    @Test
    void open_onlyCustomDomainOpset_fails() throws IOException {
      assertBad(TestModels.linear(1).toBuilder().clearOpsetImport()
          .addOpsetImport(TestModels.opset(TestModels.CUSTOM_DOMAIN, 1)).build(), "found 1 entries");
    }

    @Test
    void open_aiOnnxDomainSpelledOut_accepted() throws IOException {
      Path f = TestModels.save(TestModels.linear(1).toBuilder().clearOpsetImport()
          .addOpsetImport(TestModels.opset("ai.onnx", 17)).build(), dir.resolve("ok.onnx"));
      try (OnnxModel m = OnnxModel.open(f)) {
        assertFalse(m.initializerNames().isEmpty());
      }
    }
  }

  @Nested
  class ExternalData {
    private void dataFile(String name, int bytes) throws IOException {
      Files.write(dir.resolve(name), new byte[bytes]);
    }

    @Test
    void open_locationWithParentEscape_namesTensorAndLocation() throws IOException {
      Files.createDirectories(dir.resolve("sub"));
      dataFile("outside.bin", 16);
      Path model = TestModels.save(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE,
          "../outside.bin", "0", "16", 4)), dir.resolve("sub/model.onnx"));
      assertBad(model, "'w'", "'../outside.bin'", "leaves the model's folder");
    }

    @Test
    void open_dataFileSymlinkLeavingFolder_namesTensorAndTarget() throws IOException {
      Files.createDirectories(dir.resolve("sub"));
      dataFile("secret.bin", 16);
      Files.createSymbolicLink(dir.resolve("sub/w.data"), dir.resolve("secret.bin"));
      Path model = TestModels.save(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE,
          "w.data", "0", "16", 4)), dir.resolve("sub/model.onnx"));
      assertBad(model, "'w'", "'w.data' is a link to " + dir.toRealPath().resolve("secret.bin"),
          "outside the model's folder " + dir.toRealPath().resolve("sub"));
    }

    @Test
    void open_dataFileSymlinkInsideFolder_reads() throws IOException {
      Files.write(dir.resolve("real.data"), new byte[16]);
      Files.createSymbolicLink(dir.resolve("w.data"), dir.resolve("real.data"));
      Path model = TestModels.save(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE,
          "w.data", "0", "16", 4)), dir.resolve("model.onnx"));
      try (OnnxModel m = OnnxModel.open(model)) {
        assertEquals(4, m.initializer("w").toFloats().length);
      }
    }

    @Test
    void open_absoluteLocation_namesTensorAndLocation() throws IOException {
      dataFile("abs.bin", 16);
      String abs = dir.resolve("abs.bin").toAbsolutePath().toString();
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, abs, "0", "16", 4)),
          "'w'", abs, "leaves the model's folder");
    }

    @Test
    void open_missingDataFile_namesTensorAndFile() throws IOException {
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, "gone.data", "0",
          "16", 4)), "'w'", "'gone.data'", "not found");
    }

    @Test
    void open_rangePastEndOfFile_namesTensorRangeAndSize() throws IOException {
      dataFile("short.data", 100);
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, "short.data", "96",
          "16", 4)), "'w'", "[96, 112)", "100 bytes");
    }

    @Test
    void open_offsetPastEndOfFile_namesTensor() throws IOException {
      dataFile("short.data", 100);
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, "short.data",
          "4096", null, 4)), "'w'", "outside 'short.data'");
    }

    @Test
    void open_lengthNotDimsTimesSize_namesTensorExpectedAndActual() throws IOException {
      dataFile("w.data", 100);
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, "w.data", "0", "12",
          4)), "'w'", "length 12", "16 bytes expected");
    }

    @Test
    void open_nonNumericOffset_namesTensorAndValue() throws IOException {
      dataFile("w.data", 100);
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, "w.data", "0x10", "16",
          4)), "'w'", "'offset'", "'0x10'");
    }

    @Test
    void open_negativeLength_namesTensor() throws IOException {
      dataFile("w.data", 100);
      assertBad(TestModels.withInitializers(TestModels.external("w", DataType.FLOAT_VALUE, "w.data", "0", "-16",
          4)), "'w'", "'length'", "'-16'");
    }

    @Test
    void open_noLocation_namesTensor() throws IOException {
      TensorProto t = floats("w", 4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
          .addExternalData(TestModels.entry("offset", "0")).build();
      assertBad(TestModels.withInitializers(t), "'w'", "no 'location'");
    }

    @Test
    void open_badExternalAfterGoodOne_closesOpenedDataFiles() throws IOException {
      dataFile("good.data", 16);
      ModelFormatException e = assertBad(TestModels.withInitializers(
          TestModels.external("ok", DataType.FLOAT_VALUE, "good.data", "0", "16", 4),
          TestModels.external("bad", DataType.FLOAT_VALUE, "missing.data", "0", "16", 4)), "'bad'");
      assertFalse(e.getMessage().contains("'ok'"));
      // The good file must not stay open: deleting works on every platform only if it was closed.
      Files.delete(dir.resolve("good.data"));
    }
  }
}

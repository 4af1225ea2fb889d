package org.ffnfuse.samples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the module arrows honest: formats ← graph-rewrite ← converters ← samples, and no file I/O in graph. */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.ffnfuse");
  }

  @Test
  void formats_dependsOnNoOtherModule() {
    noClasses().that().resideInAPackage("org.ffnfuse.formats..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("org.ffnfuse.graph..", "org.ffnfuse.converters..", "org.ffnfuse.samples..")
        .check(classes);
  }

  @Test
  void graphRewrite_dependsOnlyOnFormats() {
    noClasses().that().resideInAPackage("org.ffnfuse.graph..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("org.ffnfuse.converters..", "org.ffnfuse.samples..")
        .check(classes);
  }

  @Test
  void graphRewrite_doesNoFileIo() {
    noClasses().that().resideInAPackage("org.ffnfuse.graph..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.nio.file.Files")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.nio.channels.FileChannel")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
        .check(classes);
  }

  @Test
  void converters_doesNotDependOnSamples() {
    noClasses().that().resideInAPackage("org.ffnfuse.converters..")
        .should().dependOnClassesThat().resideInAPackage("org.ffnfuse.samples..")
        .check(classes);
  }

  @Test
  void libraries_doNotPrint() {
    noClasses().that().resideInAnyPackage("org.ffnfuse.formats..", "org.ffnfuse.graph..")
        .should().accessField(System.class, "out")
        .orShould().accessField(System.class, "err")
        .check(classes);
  }
}

package org.ffnfuse.converters.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.recipe.LargeStackThreads;
import org.ffnfuse.converters.recipe.Recipe;
import org.ffnfuse.converters.recipe.RecipeRunner;
import org.ffnfuse.converters.recipe.RunReport;
import org.ffnfuse.converters.recipe.Sha256Sums;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;

/**
 * Runs one recipe on every model of a zoo — what {@code ffnfuse batch ZOO --recipe recipe.yaml -o OUT} does.
 *
 * <ul>
 *   <li>Models are found by {@link ZooScanner}; model {@code a/b} writes {@code OUT/a/b} through
 *       {@link RecipeRunner} (so through {@link AtomicFiles#writeFolder}: a half-written model never appears under
 *       {@code OUT}, only as a hidden {@code .b.tmp-*} folder that the next batch run deletes).
 *   <li>Resumable: a model whose output folder exists, was made from the same recipe, input files and ffnfuse
 *       version ({@link RunKey}, kept in {@code OUT/}{@value #KEYS_FOLDER}) and checks against its {@code SHA256SUMS}
 *       is skipped; a failed model left nothing behind and is tried again. An output made from another recipe, input
 *       or version is deleted and its model run again ({@link BatchListener#jobStale} says why). An output that
 *       exists but does not check is reported as failed (it is not deleted: delete it to redo the model).
 *   <li>Parallel: {@link BatchOptions#jobs()} workers take models in name order; a job starts only when its
 *       {@link MemoryEstimate} fits the {@link MemoryBudget} beside the running ones. With a recipe that leaves ONNX
 *       Runtime's thread count open ({@code threads: 0}), each job gets {@code cores / jobs} threads.
 *   <li>Isolated: a model's failure (bad file, recipe not applicable, ONNX Runtime error) is recorded in its row and the
 *       others go on.
 *   <li>One batch at a time per output folder (a lock file {@value #LOCK_FILE} guards it; a second batch fails with
 *       a {@link FileSystemException} naming the folder). The output folder must not be, be inside or hold a model
 *       ({@link OutputGuard}).
 * </ul>
 *
 * <p>At the end {@value BatchReport#JSON_FILE} and {@value BatchReport#MARKDOWN_FILE} are written to {@code OUT}.
 */
public final class BatchRunner {
  /** The lock file in the output folder. */
  public static final String LOCK_FILE = ".ffnfuse-batch.lock";
  /** The folder in the output folder holding each finished model's {@link RunKey} ({@code NAME.json}). */
  public static final String KEYS_FOLDER = ".ffnfuse-batch-keys";

  private static final Logger LOG = Logger.getLogger(BatchRunner.class.getName());

  private BatchRunner() {}

  /**
   * Runs {@code recipe} on every model under {@code zoo}.
   *
   * @throws IllegalArgumentException if two models map to one output folder, or the output folder is, is inside or
   *     holds a model ({@link OutputGuard}); nothing is written
   * @throws FileSystemException if another batch holds the output folder's lock
   */
  public static BatchReport run(Path zoo, Recipe recipe, Path outDir, BatchOptions options, BatchListener listener)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<ZooModel> models = ZooScanner.scan(zoo, Optional.of(outDir));
    OutputGuard guard = OutputGuard.create().output(outDir);
    for (ZooModel m : models) {
      guard.inputs(ModelPaths.inputs(m.path()));
    }
    guard.check();
    Files.createDirectories(outDir);
    try (FileChannel lockFile = FileChannel.open(outDir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = lock(lockFile, outDir)) {
      Recipe perJob = recipe.threads() == 0 && options.jobs() > 1
          ? recipe.withThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / options.jobs())) : recipe;
      BatchEntry[] entries = new BatchEntry[models.size()];
      List<Integer> toRun = new ArrayList<>();
      List<Optional<RunKey>> keys = new ArrayList<>();
      for (int i = 0; i < models.size(); i++) {
        ZooModel m = models.get(i);
        Path out = outDir.resolve(m.name());
        deleteStaleTemps(out);
        keys.add(key(m, recipe));
        if (Files.exists(out) && isCurrent(m, out, keys.get(i), keyFile(outDir, m), listener)) {
          entries[i] = existing(m, out);
        } else {
          toRun.add(i);
        }
      }
      listener.batchStarted(models.size(), toRun.size());
      for (int i = 0; i < models.size(); i++) {
        if (entries[i] != null) {
          listener.jobSkipped(models.get(i), entries[i]);
        }
      }
      MemoryBudget budget = new MemoryBudget(options.memoryBudget());
      ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), LargeStackThreads.factory("ffnfuse-batch"));
      try {
        List<Future<BatchEntry>> futures = new ArrayList<>();
        for (int i : toRun) {
          ZooModel m = models.get(i);
          Optional<RunKey> key = keys.get(i);
          futures.add(pool.submit(() -> job(m, perJob, outDir.resolve(m.name()), budget, listener, key,
              keyFile(outDir, m))));
        }
        for (int k = 0; k < toRun.size(); k++) {
          int i = toRun.get(k);
          try {
            entries[i] = futures.get(k).get();
          } catch (ExecutionException e) {
            entries[i] = failed(models.get(i), e.getCause(), 0, 0);
            listener.jobFinished(models.get(i), entries[i]);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      BatchReport report = new BatchReport(List.of(entries), (System.nanoTime() - t0) / 1e9);
      AtomicFiles.writeString(outDir.resolve(BatchReport.JSON_FILE), report.toJson());
      AtomicFiles.writeString(outDir.resolve(BatchReport.MARKDOWN_FILE), report.toMarkdown());
      return report;
    }
  }

  private static BatchEntry job(ZooModel m, Recipe recipe, Path out, MemoryBudget budget, BatchListener listener,
      Optional<RunKey> key, Path keyFile) throws InterruptedException {
    long estimate;
    try {
      estimate = MemoryEstimate.of(m);
    } catch (IOException | RuntimeException e) {
      BatchEntry entry = failed(m, e, 0, 0);
      listener.jobFinished(m, entry);
      return entry;
    }
    budget.acquire(estimate);
    try {
      long t0 = System.nanoTime();
      BatchEntry entry;
      try {
        RunReport r = RecipeRunner.run(m.path(), recipe, out, listener.jobListener(m));
        if (key.isPresent()) {
          key.get().write(keyFile);
        }
        entry = new BatchEntry(m.name(), r.passed() ? JobStatus.DONE : JobStatus.CHECKS_FAILED,
            r.perplexityBefore(), r.perplexityAfter(), r.seconds(), estimate, r.passed() ? Optional.empty()
                : Optional.of(String.join("; ", r.failures())));
      } catch (Exception | LinkageError | AssertionError e) {
        // Any failure of this model is its own; the other models go on.
        entry = failed(m, e, (System.nanoTime() - t0) / 1e9, estimate);
      }
      listener.jobFinished(m, entry);
      return entry;
    } finally {
      budget.release(estimate);
    }
  }

  /** Locks the output folder for this batch, or says that another batch holds it. */
  private static FileLock lock(FileChannel lockFile, Path outDir) throws IOException {
    FileLock lock;
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another batch in this JVM
    }
    if (lock == null) {
      throw new FileSystemException(outDir.toString(), null, "another ffnfuse batch is writing to this output folder"
          + " (it holds " + LOCK_FILE + "); wait for it to finish or choose another output folder");
    }
    return lock;
  }

  /** The key of {@code m} now; empty if its files cannot be listed (its job then fails and says why). */
  private static Optional<RunKey> key(ZooModel m, Recipe recipe) {
    try {
      return Optional.of(RunKey.of(m, recipe));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "batch: no run key for " + m.name(), e);
      return Optional.empty();
    }
  }

  private static Path keyFile(Path outDir, ZooModel m) {
    return outDir.resolve(KEYS_FOLDER).resolve(m.name() + ".json");
  }

  /**
   * Whether the existing output {@code out} was made from the same recipe, input and ffnfuse version as a run now
   * would be. If not, tells the listener why and deletes the stale output (and its key) so that the model runs again.
   */
  private static boolean isCurrent(ZooModel m, Path out, Optional<RunKey> now, Path keyFile, BatchListener listener)
      throws IOException {
    if (now.isEmpty()) {
      return true; // cannot tell; check the output as it is
    }
    Optional<RunKey> then = RunKey.read(keyFile);
    List<String> changes = then.isEmpty() ? List.of("there is no record of what it was made from")
        : now.get().changesSince(then.get());
    if (changes.isEmpty()) {
      return true;
    }
    String why = String.join(", ", changes);
    LOG.fine(() -> "batch: " + m.name() + ": " + why + "; running it again");
    listener.jobStale(m, why);
    Files.deleteIfExists(keyFile);
    Path aside = out.resolveSibling(AtomicFiles.tempPrefix(out.getFileName().toString()) + "stale");
    AtomicFiles.deleteTree(aside);
    Files.move(out, aside, StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.deleteTree(aside);
    return false;
  }

  private static BatchEntry failed(ZooModel m, Throwable e, double seconds, long estimate) {
    LOG.log(Level.FINE, "batch: " + m.name() + " failed", e);
    String msg = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": "
        + e.getMessage();
    return new BatchEntry(m.name(), JobStatus.FAILED, OptionalDouble.empty(), OptionalDouble.empty(), seconds,
        estimate, Optional.of(msg));
  }

  /** The row of a model whose output folder exists: skipped if it checks, else failed with the reason. */
  private static BatchEntry existing(ZooModel m, Path out) {
    try {
      List<String> problems = Sha256Sums.check(out);
      if (!problems.isEmpty()) {
        return new BatchEntry(m.name(), JobStatus.FAILED, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0,
            Optional.of("output " + out + " exists but is incomplete or damaged (" + problems.get(0)
                + (problems.size() > 1 ? ", and " + (problems.size() - 1) + " more" : "")
                + "); delete it to run this model again"));
      }
      JsonNode report = new ObjectMapper().readTree(out.resolve(RunReport.FILE_NAME).toFile());
      return new BatchEntry(m.name(), JobStatus.SKIPPED, number(report.path("perplexity").path("original")),
          number(report.path("perplexity").path("fused")), report.path("seconds").asDouble(0), 0, Optional.empty());
    } catch (IOException e) {
      return failed(m, e, 0, 0);
    }
  }

  private static OptionalDouble number(JsonNode n) {
    return n.isNumber() ? OptionalDouble.of(n.asDouble()) : OptionalDouble.empty();
  }

  /** Deletes temporary folders a killed earlier run left beside {@code out} (safe: we hold the batch lock). */
  private static void deleteStaleTemps(Path out) throws IOException {
    Path dir = out.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String prefix = AtomicFiles.tempPrefix(out.getFileName().toString());
    List<Path> stale;
    try (Stream<Path> s = Files.list(dir)) {
      stale = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
    for (Path p : stale) {
      LOG.info(() -> "deleting the unfinished output " + p + " of an earlier, interrupted run");
      AtomicFiles.deleteTree(p);
    }
  }
}

package io.beamline.framework.backend;

import java.nio.file.Path;

/** What every run handle holds: its backend and its working (run) directory. */
abstract class BackendRun implements RunHandle {
  private final Backend backend;
  private final Path workingDir;

  BackendRun(Backend backend, Path workingDir) {
    this.backend = backend;
    this.workingDir = workingDir;
  }

  @Override
  public final Backend backend() {
    return backend;
  }

  @Override
  public final Path workingDir() {
    return workingDir;
  }

  @Override
  public String toString() {
    return backend.id() + " run in " + workingDir;
  }
}

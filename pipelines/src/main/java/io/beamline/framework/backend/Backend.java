package io.beamline.framework.backend;

import java.util.Locale;

/**
 * Where a compiled pipeline runs. The first two run in this JVM (so they also run pipelines
 * composed in Java and registered nowhere); the other two start the {@code beamline} command of the
 * shaded jar outside it.
 */
public enum Backend {
  /** Beam's DirectRunner, in this JVM. */
  DIRECT("direct", true, "sh"),
  /** The SparkRunner with an in-process local Spark master ({@code local[*]}), in this JVM. */
  SPARK_LOCAL("spark-local", true, "sh"),
  /**
   * {@code spark-submit} to a cluster master ({@code SPARK_MASTER}), through the {@code
   * SparkSubmit} class the shaded jar contains, so no Spark installation is needed.
   */
  SPARK_SUBMIT("spark-submit", false, "sh"),
  /** A SLURM batch job ({@code sbatch}) running the pipeline on Spark local on its node. */
  SLURM("slurm", false, "sbatch");

  private final String id;
  private final boolean inProcess;
  private final String extension;

  Backend(String id, boolean inProcess, String extension) {
    this.id = id;
    this.inProcess = inProcess;
    this.extension = extension;
  }

  /** Lower-case name, e.g. {@code spark-submit}. */
  public String id() {
    return id;
  }

  /** Whether it runs in this JVM. */
  public boolean inProcess() {
    return inProcess;
  }

  /** The script's file name in the working directory, e.g. {@code run-slurm.sbatch}. */
  public String scriptName() {
    return "run-" + id + "." + extension;
  }

  /** The backend named {@code id} ({@code direct}, {@code spark-local}, ...). */
  public static Backend of(String id) {
    for (Backend b : values()) {
      if (b.id.equals(id.toLowerCase(Locale.ROOT))) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown backend '" + id + "'; backends: direct, spark-local, spark-submit, slurm");
  }
}

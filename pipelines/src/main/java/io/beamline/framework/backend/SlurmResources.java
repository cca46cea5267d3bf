package io.beamline.framework.backend;

/**
 * The {@code #SBATCH} resources of a compiled pipeline's SLURM script. {@code sbatch} flags given
 * when submitting override them (e.g. {@code sbatch --time=12:00:00 run-slurm.sbatch}).
 *
 * @param cpusPerTask {@code --cpus-per-task}, 1..1024; also the Spark local master's threads
 * @param mem {@code --mem}, e.g. {@code 16G}
 * @param time {@code --time}, e.g. {@code 04:00:00}
 * @param partition {@code --partition}, or null for the cluster's default
 * @param account {@code --account}, or null for the user's default
 */
public record SlurmResources(
    int cpusPerTask, String mem, String time, String partition, String account) {

  /** 4 CPUs, 16 GB, 4 hours, default partition and account. */
  public static final SlurmResources DEFAULT = new SlurmResources(4, "16G", "04:00:00", null, null);

  public SlurmResources {
    if (cpusPerTask < 1 || cpusPerTask > 1024) {
      throw new IllegalArgumentException("cpusPerTask must be in 1..1024, got " + cpusPerTask);
    }
    if (mem == null || !mem.matches("[0-9]+[KMGT]?")) {
      throw new IllegalArgumentException("mem must be a SLURM size like 16G, got " + mem);
    }
    if (time == null || !time.matches("([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}")) {
      throw new IllegalArgumentException("time must be a SLURM time like 04:00:00, got " + time);
    }
  }
}

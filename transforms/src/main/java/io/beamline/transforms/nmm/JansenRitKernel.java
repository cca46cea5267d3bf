package io.beamline.transforms.nmm;

/**
 * A Jansen-Rit network simulation that advances in steps of {@code dt} and emits the source signal
 * y1 - y2 (mV) of every region after every step. Stateful and not thread-safe: successive calls
 * continue the same trajectory, like repeated {@code sim.run()} calls in TVB.
 */
public interface JansenRitKernel {

  /** Number of regions. */
  int regionCount();

  /** Integration step, ms (the output sampling interval). */
  double dtMs();

  /** Samples produced so far (= steps taken). */
  long samplesProduced();

  /** A copy of the current state, {@code [region][variable]} with variables y0..y5. */
  double[][] state();

  /**
   * Advances {@code samples} steps, handing the output to {@code consumer} in blocks of at most
   * {@code blockLength} samples.
   *
   * @param samples number of steps, >= 0
   * @param blockLength samples per block, >= 1
   */
  void run(long samples, int blockLength, SampleBlockConsumer consumer);

  /**
   * Advances {@code samples} steps and returns y1 - y2 as {@code [region][sample]} float32 (mV).
   *
   * @param samples number of steps, in [0, 2^31 - 1]
   */
  default float[][] simulate(int samples) {
    Checks.inRange("samples", samples, 0, Integer.MAX_VALUE);
    float[][] out = new float[regionCount()][samples];
    int blockLength = Math.max(1, Math.min(samples, 4096));
    long start = samplesProduced();
    run(
        samples,
        blockLength,
        (first, length, block) -> {
          int offset = (int) (first - start);
          for (int r = 0; r < block.length; r++) {
            System.arraycopy(block[r], 0, out[r], offset, length);
          }
        });
    return out;
  }
}

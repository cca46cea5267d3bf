package io.beamline.transforms.nmm;

/**
 * Receives simulated samples block by block, so callers can stream long simulations (600 s x 998
 * regions is 4.8 GB as float32) without holding them in memory.
 */
@FunctionalInterface
public interface SampleBlockConsumer {

  /**
   * Called once per block, in time order.
   *
   * @param firstSample 0-based index of the block's first sample since the simulator was created
   *     (sample {@code k} is the state after step {@code k + 1}, at time {@code (k + 1) * dt})
   * @param length number of valid samples in each row, >= 1
   * @param block {@code block[region][t]} for {@code t < length}: the source signal y1 - y2 in mV.
   *     The array is reused for the next block: copy what you keep before returning.
   */
  void accept(long firstSample, int length, float[][] block);
}

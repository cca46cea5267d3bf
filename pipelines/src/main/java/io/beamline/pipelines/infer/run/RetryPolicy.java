package io.beamline.pipelines.infer.run;

import java.io.Serializable;

/**
 * How the attempt stage retries a chunk: up to {@code maxRetries} retries after a failed attempt,
 * attempt {@code k >= 2} waiting {@code backoffBaseS * 2^(k-2)} seconds first (bounded: at most 10
 * retries of at most an hour's base); {@code injectFailureRate} of the attempts fail on purpose,
 * drawn from {@code seed} per chunk and attempt ({@link Attempts#injected}).
 *
 * @param maxRetries retries per chunk, in [0, 10]
 * @param backoffBaseS the backoff before the first retry, seconds, in [0, 3600]
 * @param injectFailureRate the fraction of attempts failed on purpose, in [0, 1]
 * @param seed the seed of the injected failures
 */
record RetryPolicy(int maxRetries, double backoffBaseS, double injectFailureRate, long seed)
    implements Serializable {

  RetryPolicy {
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException("maxRetries must be in [0, 10], got " + maxRetries);
    }
    if (!(backoffBaseS >= 0) || backoffBaseS > 3600) {
      throw new IllegalArgumentException("backoffBaseS must be in [0, 3600], got " + backoffBaseS);
    }
    if (!(injectFailureRate >= 0) || injectFailureRate > 1) {
      throw new IllegalArgumentException(
          "injectFailureRate must be in [0, 1], got " + injectFailureRate);
    }
  }

  /** Attempts per chunk at most: the first and its retries. */
  int maxAttempts() {
    return maxRetries + 1;
  }

  /** Seconds to wait before attempt {@code attempt} (>= 2). */
  double backoffBefore(int attempt) {
    return backoffBaseS * Math.pow(2, attempt - 2);
  }

  /** Whether this attempt of {@code t} fails on purpose. */
  boolean injected(ChunkTask t) {
    return Attempts.injected(injectFailureRate, seed, t);
  }
}

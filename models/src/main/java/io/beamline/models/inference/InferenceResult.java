package io.beamline.models.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * One inference: the key of the input, the model's output for it, and the worker that produced it.
 *
 * @param <O> the output type
 */
public final class InferenceResult<O> implements Serializable {
  private final String key;
  private final O output;
  private final String worker;

  /**
   * @param key the input's key (a chunk id)
   * @param output the model output
   * @param worker the worker slot label ({@code gpu-0}, {@code cpu-1})
   */
  public InferenceResult(String key, O output, String worker) {
    this.key = Objects.requireNonNull(key, "key");
    this.output = Objects.requireNonNull(output, "output");
    this.worker = Objects.requireNonNull(worker, "worker");
  }

  /** The key of the input this result is for. */
  public String key() {
    return key;
  }

  /** The model output. */
  public O output() {
    return output;
  }

  /** The label of the worker slot that ran the model. */
  public String worker() {
    return worker;
  }

  /** A coder for results whose outputs use {@code outputCoder}. */
  public static <O> Coder<InferenceResult<O>> coder(Coder<O> outputCoder) {
    return new ResultCoder<>(outputCoder);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InferenceResult<?> r
        && key.equals(r.key)
        && worker.equals(r.worker)
        && Objects.deepEquals(output, r.output);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, worker);
  }

  @Override
  public String toString() {
    String out =
        output instanceof float[] f ? java.util.Arrays.toString(f) : String.valueOf(output);
    return key + "@" + worker + "=" + out;
  }

  private static final class ResultCoder<O> extends CustomCoder<InferenceResult<O>> {
    private static final Coder<String> STRING = StringUtf8Coder.of();
    private final Coder<O> outputCoder;

    ResultCoder(Coder<O> outputCoder) {
      this.outputCoder = Objects.requireNonNull(outputCoder, "outputCoder");
    }

    @Override
    public void encode(InferenceResult<O> r, OutputStream out) throws IOException {
      STRING.encode(r.key, out);
      STRING.encode(r.worker, out);
      outputCoder.encode(r.output, out);
    }

    @Override
    public InferenceResult<O> decode(InputStream in) throws IOException {
      String key = STRING.decode(in);
      String worker = STRING.decode(in);
      return new InferenceResult<>(key, outputCoder.decode(in), worker);
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(outputCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      outputCoder.verifyDeterministic();
    }
  }
}

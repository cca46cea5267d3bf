package io.beamline.models.inference;

import ai.djl.translate.Translator;
import java.io.Serializable;

/**
 * Makes the DJL {@link Translator} (pre- and post-processing) of a {@link ModelSpec} on the worker.
 *
 * <p>DJL translators are usually not serialisable, so a spec carries this factory instead and each
 * DoFn instance calls it once. Implementations must be serialisable: a static nested class or a
 * method reference to a static factory, never a lambda capturing non-serialisable state.
 *
 * @param <I> the model input type seen by callers
 * @param <O> the output type
 */
@FunctionalInterface
public interface TranslatorSupplier<I, O> extends Serializable {
  /** A new translator; called once per predictor. */
  Translator<I, O> get();
}

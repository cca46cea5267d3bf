package io.beamline.framework.module;

/**
 * The config of a {@link Module}: an immutable record (validated in its compact constructor) that
 * knows which module it configures, so {@code Module.from(config)} builds it.
 *
 * @param <M> the module type this config builds
 */
public interface ModuleConfig<M extends Module<?, ?, ?>> {

  /** A new module with these settings. */
  M toModule();
}

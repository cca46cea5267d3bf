/**
 * Modules: configured, named stages that pipelines are composed of. A {@link
 * io.beamline.framework.module.Module} is a composite transform built from one immutable config
 * record ({@link io.beamline.framework.module.ModuleConfig}), with named {@link
 * io.beamline.framework.module.Port inputs and outputs} and its settings as display data.
 */
package io.beamline.framework.module;

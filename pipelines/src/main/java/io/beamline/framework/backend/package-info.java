/**
 * Backends: compile a pipeline into an inspectable working directory without running it (plan,
 * picture, effective options, the command line of every backend), and run a compiled pipeline on a
 * backend, in this process or outside it, through a {@link
 * io.beamline.framework.backend.RunHandle}.
 */
package io.beamline.framework.backend;

/**
 * The run directory: every run (and every {@code plan}) writes {@code <output-dir>/runs/<run-id>/}
 * with {@code plan.dot}, {@code plan.json}, {@code options.json}, {@code metrics.json}, {@code
 * run.log} and {@code manifest.json}.
 */
package io.beamline.framework.run;

/**
 * The {@code beamline} command line: one subcommand per pipeline, generated from the pipeline's
 * options interface, plus {@code plan}. Packaged with every runner into {@code
 * runners/target/beamline.jar}, which {@code java -jar} and {@code spark-submit} both run.
 */
package io.beamline.runners;

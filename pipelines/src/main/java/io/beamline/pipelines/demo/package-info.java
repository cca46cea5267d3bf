/** The demo pipeline: seeded synthetic (or CSV) sensor samples to a per-window summary table. */
package io.beamline.pipelines.demo;

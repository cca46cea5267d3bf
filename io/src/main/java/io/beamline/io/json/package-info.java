/** The project's one JSON mapper ({@link io.beamline.io.json.Json}). */
package io.beamline.io.json;

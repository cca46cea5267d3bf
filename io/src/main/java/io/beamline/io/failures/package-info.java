/** Per-item failure records: the dead-letter output every reader and transform shares. */
package io.beamline.io.failures;

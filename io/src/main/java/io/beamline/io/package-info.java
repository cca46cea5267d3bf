/**
 * Connectors: readers and writers for instrument formats and analysis tables.
 *
 * <p>Every connector follows the same shape (see {@code ../shared/STYLE.md}): one class with a
 * private constructor, static factories, and nested immutable {@code PTransform}s configured with
 * {@code withX()} methods. Outputs are always written under a temporary name and renamed into
 * place, so a reader never sees a half-written file.
 */
package io.beamline.io;

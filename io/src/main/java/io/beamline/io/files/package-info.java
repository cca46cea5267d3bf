/** Small file-system helpers shared by every connector: atomic writes and digests. */
package io.beamline.io.files;

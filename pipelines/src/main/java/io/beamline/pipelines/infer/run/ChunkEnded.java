package io.beamline.pipelines.infer.run;

import java.io.Serializable;

/**
 * A chunk that ended in this run: committed, or failed for good with a failure record.
 *
 * @param stem the manifest's stem
 * @param chunkId the chunk
 */
record ChunkEnded(String stem, String chunkId) implements Serializable {}

package io.beamline.pipelines.infer.run;

import java.io.Serializable;
import java.util.List;

/**
 * The chunks of one manifest that share a batch: those at manifest positions {@code [index *
 * batchSize, (index + 1) * batchSize)} that this run attempts, in manifest order.
 *
 * @param stem the manifest's stem
 * @param index the batch's place in the manifest
 * @param tasks its chunks, in manifest order, all at the same attempt
 */
record ChunkBatch(String stem, int index, List<ChunkTask> tasks) implements Serializable {
  ChunkBatch {
    tasks = List.copyOf(tasks);
  }
}

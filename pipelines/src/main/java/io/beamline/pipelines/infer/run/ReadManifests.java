package io.beamline.pipelines.infer.run;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code read-manifests}: the chunks of the manifests that this run attempts, each at attempt 1;
 * the chunks {@code skip} names (committed, kept by a resume) are left out.
 */
final class ReadManifests extends Module<ReadManifests.Config, PBegin, PCollection<ChunkTask>> {

  /**
   * @param manifest a chunk manifest CSV or a directory of them ({@link InferManifests})
   * @param datasetRoot the directory relative chunk paths resolve against, or null for the default
   * @param skip per manifest stem, the chunk ids not to attempt
   */
  record Config(String manifest, String datasetRoot, Map<String, Set<String>> skip)
      implements ModuleConfig<ReadManifests>, Serializable {
    Config {
      if (manifest == null || manifest.isBlank()) {
        throw new IllegalArgumentException("manifest must name a CSV or a directory, got empty");
      }
      skip = Map.copyOf(skip);
    }

    @Override
    public ReadManifests toModule() {
      return new ReadManifests(this);
    }
  }

  ReadManifests(Config config) {
    super("read-manifests", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of();
  }

  @Override
  public List<Port> outputs() {
    return List.of(Port.of("chunks", ChunkTask.class));
  }

  @Override
  public PCollection<ChunkTask> expand(PBegin begin) {
    List<ChunkTask> todo = new ArrayList<>();
    for (ChunkManifest.Manifest m :
        ChunkManifest.read(config().manifest(), config().datasetRoot())) {
      Set<String> kept = config().skip().getOrDefault(m.stem(), Set.of());
      for (ChunkTask t : m.chunks()) {
        if (!kept.contains(t.chunkId())) {
          todo.add(t);
        }
      }
    }
    return begin.apply("Chunks", Create.of(todo).withCoder(SerializableCoder.of(ChunkTask.class)));
  }
}

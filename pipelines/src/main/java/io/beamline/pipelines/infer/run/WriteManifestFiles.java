package io.beamline.pipelines.infer.run;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.pipelines.infer.formats.ReviewFormat;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code write-detections}: once every chunk of a manifest has ended (the group per manifest waits
 * for all of them, {@code GroupOutcomes}), derives that manifest's detections table, summary and
 * workers files from the commit records of all its chunks, also those committed by earlier runs
 * ({@link RunFiles#write}), and with {@code --export} the review files of its recordings. Every
 * manifest gets its files, also when this run had none of its chunks to do (one marker per manifest
 * joins the outcomes).
 */
final class WriteManifestFiles
    extends Module<WriteManifestFiles.Config, PCollection<ChunkEnded>, PDone> {

  /**
   * @param paths where the commit records are and the files go
   * @param runId the run's id, written to the summaries
   * @param manifest the chunk manifest CSV or directory of them
   * @param datasetRoot the dataset root, or null for the default
   * @param exports the review formats written per recording ({@code --export}), none by default
   * @param minConfidence the lowest confidence an exported selection has, in [0, 1]
   */
  record Config(
      RunPaths paths,
      String runId,
      String manifest,
      String datasetRoot,
      List<ReviewFormat> exports,
      double minConfidence)
      implements ModuleConfig<WriteManifestFiles>, Serializable {
    Config {
      if (manifest == null || manifest.isBlank()) {
        throw new IllegalArgumentException("manifest must name a CSV or a directory, got empty");
      }
      exports = exports == null ? List.of() : List.copyOf(exports);
      if (!(minConfidence >= 0 && minConfidence <= 1)) {
        throw new IllegalArgumentException(
            String.format("minConfidence must be in [0, 1], got %s", minConfidence));
      }
    }

    @Override
    public WriteManifestFiles toModule() {
      return new WriteManifestFiles(this);
    }
  }

  WriteManifestFiles(Config config) {
    super("write-detections", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(Port.of("ended", ChunkEnded.class));
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollection<ChunkEnded> ended) {
    List<KV<String, String>> markers = new ArrayList<>();
    HashMap<String, String> paths = new HashMap<>();
    HashMap<String, List<String>> order = new HashMap<>();
    for (ChunkManifest.Manifest m :
        ChunkManifest.read(config().manifest(), config().datasetRoot())) {
      markers.add(KV.of(m.stem(), ""));
      paths.put(m.stem(), m.path().toString());
      order.put(m.stem(), m.chunks().stream().map(ChunkTask::chunkId).toList());
    }
    KvCoder<String, String> coder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollection<KV<String, String>> outcomes =
        ended.apply(
            "ByManifest",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                .via((ChunkEnded e) -> KV.of(e.stem(), e.chunkId())));
    PCollection<KV<String, String>> marks =
        ended.getPipeline().apply("ManifestMarkers", Create.of(markers).withCoder(coder));
    PCollectionList.of(outcomes.setCoder(coder))
        .and(marks)
        .apply("AllOutcomes", Flatten.pCollections())
        .setCoder(coder)
        .apply("GroupOutcomes", GroupByKey.create())
        .apply("WriteManifestFiles", ParDo.of(new WriteFn(config(), paths, order)));
    return PDone.in(ended.getPipeline());
  }

  /** Writes one manifest's files once its group is complete. */
  static final class WriteFn extends DoFn<KV<String, Iterable<String>>, Void> {
    private final Config s;
    private final HashMap<String, String> manifests;
    private final HashMap<String, List<String>> order;

    WriteFn(Config s, HashMap<String, String> manifests, HashMap<String, List<String>> order) {
      this.s = s;
      this.manifests = manifests;
      this.order = order;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> group) throws IOException {
      String stem = group.getKey();
      RunFiles.write(
          s.paths().commits(),
          s.paths().summary(),
          Paths.get(manifests.get(stem)),
          stem,
          s.runId(),
          order.get(stem),
          s.exports(),
          s.minConfidence());
    }
  }
}

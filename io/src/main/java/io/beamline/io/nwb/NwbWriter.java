package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import io.beamline.io.files.AtomicFiles;
import io.beamline.io.nwb.Hdf5Writer.Group;
import io.beamline.io.nwb.Hdf5Writer.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes NWB 2.x files (schema {@value #NWB_VERSION}) that the NWB schema accepts.
 *
 * <p>Layout, with dtypes as the schema asks: root attributes {@code nwb_version}, {@code
 * namespace}={@code core}, {@code neurodata_type}={@code NWBFile}, {@code object_id} and {@code
 * .specloc} (an object reference to {@code /specifications}); root datasets {@code
 * file_create_date} (1-D, one entry), {@code identifier}, {@code session_description}, {@code
 * session_start_time}, {@code timestamps_reference_time}; groups {@code acquisition}, {@code
 * analysis}, {@code processing}, {@code stimulus/presentation}, {@code stimulus/templates}, {@code
 * general} (with {@code session_id}, {@code experimenter} and {@code keywords} (1-D), {@code
 * institution}, {@code experiment_description} and a {@code Subject} at {@code general/subject},
 * each when given); {@code specifications} with the NWB core {@value #NWB_VERSION} and hdmf-common
 * {@value #HDMF_COMMON_VERSION} specifications ({@link NwbSpecs}). Each series is a group {@code
 * acquisition/<name>} typed {@code TimeSeries} with {@code data} ({@code float32}, samples x
 * channels; attributes {@code unit}, {@code conversion}=1.0, {@code resolution}=-1.0, {@code
 * offset}=0.0, all {@code float32}) and either {@code starting_time} ({@code float64}; attributes
 * {@code rate} ({@code float32}), {@code unit}=seconds) or {@code timestamps} ({@code float64};
 * attributes {@code interval}=1 ({@code int32}), {@code unit}=seconds).
 *
 * <p>All text (datasets and attributes, times included) is variable-length UTF-8, as pynwb writes
 * it; times are ISO 8601 with microseconds and offset {@code +00:00}. Datasets are contiguous and
 * uncompressed. Every {@code object_id} is a name-based (version 3) UUID of the identifier and the
 * object's path, so the same input gives the same bytes. The HDF5 encoding is {@link Hdf5Writer}.
 *
 * <p>The file is written under a hidden temporary name in the target directory, read back with
 * jHDF, and renamed only when that succeeds.
 *
 * <pre>{@code
 * NwbWriter.write(dir.resolve("subj_sess_eeg.nwb"), header, List.of(eeg));
 * }</pre>
 */
public final class NwbWriter {
  /** The NWB schema version written to {@code nwb_version} and cached in the file. */
  public static final String NWB_VERSION = "2.7.0";

  /**
   * The hdmf-common schema version cached in the file (the one NWB core 2.7.0 is released with).
   */
  public static final String HDMF_COMMON_VERSION = "1.8.0";

  /** The namespace of every typed object written here. */
  public static final String NAMESPACE = "core";

  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

  private NwbWriter() {}

  /** Formats {@code t} as NWB writes times: {@code 2024-05-01T12:00:00.000000+00:00}. */
  public static String isoTime(Instant t) {
    return ISO.format(t);
  }

  /**
   * Writes {@code file} with {@code series} (in name order) to {@code target}, replacing it.
   *
   * @throws IllegalArgumentException naming the series when two share a name
   */
  public static void write(Path target, NwbFile file, List<NwbTimeSeries> series)
      throws IOException {
    checkArgument(target != null && target.getFileName() != null, "target must be a file path");
    checkArgument(file != null, "file must not be null");
    List<NwbTimeSeries> sorted = new ArrayList<>(series);
    sorted.sort(Comparator.comparing(NwbTimeSeries::name));
    Set<String> names = new HashSet<>();
    for (NwbTimeSeries s : sorted) {
      checkArgument(
          names.add(s.name()),
          "two time series are named '%s'; names must be unique in acquisition",
          s.name());
    }
    Group root = tree(file, sorted);
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = AtomicFiles.temporarySibling(target);
    try {
      Hdf5Writer.write(root, tmp);
      JhdfReadBack.verify(tmp);
      AtomicFiles.moveIntoPlace(tmp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** The whole file as an HDF5 tree. */
  static Group tree(NwbFile file, List<NwbTimeSeries> series) {
    Group root = Hdf5Writer.root();
    root.dataset("file_create_date", Value.textArray(List.of(isoTime(file.fileCreateDate()))));
    root.dataset("identifier", Value.text(file.identifier()));
    root.dataset("session_description", Value.text(file.sessionDescription()));
    root.dataset("session_start_time", Value.text(isoTime(file.sessionStartTime())));
    root.dataset("timestamps_reference_time", Value.text(isoTime(file.timestampsReferenceTime())));
    Group acquisition = root.group("acquisition");
    for (NwbTimeSeries s : series) {
      writeSeries(acquisition, file, s);
    }
    root.group("analysis");
    root.group("processing");
    Group stimulus = root.group("stimulus");
    stimulus.group("presentation");
    stimulus.group("templates");
    writeGeneral(root.group("general"), file);
    Group specifications = root.group("specifications");
    cache(specifications, NwbSpecs.CORE);
    cache(specifications, NwbSpecs.HDMF_COMMON);
    typed(root, "NWBFile", file, "/");
    root.attribute("nwb_version", Value.text(NWB_VERSION));
    // Where readers find the cached specifications (hdmf looks only here).
    root.attribute(".specloc", Value.reference(specifications));
    return root;
  }

  /** {@code <namespace>/<version>/<source>}: one scalar string per text, as hdmf caches them. */
  private static void cache(Group specifications, NwbSpecs.Namespace ns) {
    Group g = specifications.group(ns.name()).group(ns.version());
    for (Map.Entry<String, String> text : ns.texts().entrySet()) {
      g.dataset(text.getKey(), Value.text(text.getValue()));
    }
  }

  private static void writeGeneral(Group general, NwbFile file) {
    if (!file.experimenters().isEmpty()) {
      general.dataset("experimenter", Value.textArray(file.experimenters()));
    }
    if (file.experimentDescription() != null) {
      general.dataset("experiment_description", Value.text(file.experimentDescription()));
    }
    if (file.institution() != null) {
      general.dataset("institution", Value.text(file.institution()));
    }
    if (!file.keywords().isEmpty()) {
      general.dataset("keywords", Value.textArray(file.keywords()));
    }
    if (file.sessionId() != null) {
      general.dataset("session_id", Value.text(file.sessionId()));
    }
    NwbSubject subject = file.subject();
    if (subject != null) {
      Group g = general.group("subject");
      typed(g, "Subject", file, "/general/subject");
      if (subject.age() != null) {
        g.dataset("age", Value.text(subject.age())).attribute("reference", Value.text("birth"));
      }
      if (subject.description() != null) {
        g.dataset("description", Value.text(subject.description()));
      }
      if (subject.sex() != null) {
        g.dataset("sex", Value.text(subject.sex()));
      }
      if (subject.species() != null) {
        g.dataset("species", Value.text(subject.species()));
      }
      g.dataset("subject_id", Value.text(subject.subjectId()));
    }
  }

  private static void writeSeries(Group acquisition, NwbFile file, NwbTimeSeries s) {
    Group g = acquisition.group(s.name());
    typed(g, "TimeSeries", file, "/acquisition/" + s.name());
    g.attribute("comments", Value.text(s.comments()));
    g.attribute("description", Value.text(s.description()));
    g.dataset("data", Value.float32(s.data(), s.samples(), s.channels()))
        .attribute("conversion", Value.float32(1.0f))
        .attribute("offset", Value.float32(0.0f))
        .attribute("resolution", Value.float32(-1.0f))
        .attribute("unit", Value.text(s.unit()));
    if (s.isRegular()) {
      g.dataset("starting_time", Value.float64(s.startingTime()))
          .attribute("rate", Value.float32((float) s.rate()))
          .attribute("unit", Value.text("seconds"));
    } else {
      g.dataset("timestamps", Value.float64(s.timestamps()))
          .attribute("interval", Value.int32(1))
          .attribute("unit", Value.text("seconds"));
    }
  }

  private static void typed(Group node, String type, NwbFile file, String path) {
    node.attribute("namespace", Value.text(NAMESPACE));
    node.attribute("neurodata_type", Value.text(type));
    node.attribute("object_id", Value.text(objectId(file, path)));
  }

  /** Name-based UUID of the file identifier and an object path: stable for the same input. */
  static String objectId(NwbFile file, String path) {
    return UUID.nameUUIDFromBytes(
            (file.identifier() + "\n" + path).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}

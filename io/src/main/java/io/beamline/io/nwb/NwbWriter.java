package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import io.beamline.io.files.AtomicFiles;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
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
import java.util.Set;
import java.util.UUID;

/**
 * Writes NWB 2.x files (schema {@value #NWB_VERSION}) with jHDF.
 *
 * <p>Layout: root attributes {@code nwb_version}, {@code namespace}={@code core}, {@code
 * neurodata_type}={@code NWBFile}, {@code object_id}; root datasets {@code file_create_date} (1-D,
 * one entry), {@code identifier}, {@code session_description}, {@code session_start_time}, {@code
 * timestamps_reference_time}; groups {@code acquisition}, {@code analysis}, {@code processing},
 * {@code stimulus/presentation}, {@code stimulus/templates}, {@code general} (with {@code
 * session_id} and a {@code Subject} at {@code general/subject} when given). Each series is a group
 * {@code acquisition/<name>} typed {@code TimeSeries} with {@code data} ({@code float32}, samples x
 * channels; attributes {@code unit}, {@code conversion}=1.0, {@code resolution}=-1.0, {@code
 * offset}=0.0) and either {@code starting_time} (attributes {@code rate}, {@code unit}=seconds) or
 * {@code timestamps} (attributes {@code interval}=1, {@code unit}=seconds).
 *
 * <p>Where this differs from files written by pynwb/HDMF, because of what jHDF 0.9.4 can write:
 * strings (datasets and attributes) are fixed-length, null-terminated HDF5 strings, which h5py
 * returns as {@code bytes} rather than {@code str}; groups that would be empty carry a {@code help}
 * attribute, because jHDF 0.9.4 writes attribute-less empty groups with an object header HDF5
 * cannot open; jHDF adds a root attribute {@code _jHDF} naming its version; no cached {@code
 * specifications} group is written (jHDF cannot write the links and references it uses); datasets
 * are contiguous and uncompressed. Times are ISO 8601 with microseconds and offset {@code +00:00}.
 * Every {@code object_id} is a name-based (version 3) UUID of the identifier and the object's path,
 * so the same input gives the same file.
 *
 * <p>The file is written under a hidden temporary name in the target directory, read back with
 * jHDF, and renamed only when that succeeds. jHDF 0.9.4 has a bug that can overwrite an object
 * header with its version string; {@code JhdfFiles} works around it (see there).
 *
 * <pre>{@code
 * NwbWriter.write(dir.resolve("subj_sess_eeg.nwb"), header, List.of(eeg));
 * }</pre>
 */
public final class NwbWriter {
  /** The NWB schema version written to {@code nwb_version}. */
  public static final String NWB_VERSION = "2.7.0";

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
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (WritableHdfFile h5 = JhdfFiles.create(tmp)) {
        writeRoot(h5, file);
        WritableGroup acquisition = h5.putGroup("acquisition");
        if (sorted.isEmpty()) {
          help(acquisition, "Data streamed from the acquisition system");
        }
        for (NwbTimeSeries s : sorted) {
          writeSeries(acquisition, file, s);
        }
      }
      JhdfFiles.verify(tmp);
      AtomicFiles.moveIntoPlace(tmp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  private static void writeRoot(WritableHdfFile h5, NwbFile file) {
    h5.putAttribute("namespace", NAMESPACE);
    h5.putAttribute("neurodata_type", "NWBFile");
    h5.putAttribute("nwb_version", NWB_VERSION);
    h5.putAttribute("object_id", objectId(file, "/"));
    h5.putDataset("file_create_date", new String[] {isoTime(file.fileCreateDate())});
    h5.putDataset("identifier", file.identifier());
    h5.putDataset("session_description", file.sessionDescription());
    h5.putDataset("session_start_time", isoTime(file.sessionStartTime()));
    h5.putDataset("timestamps_reference_time", isoTime(file.timestampsReferenceTime()));
    help(h5.putGroup("analysis"), "Lab-specific and custom scientific analysis of data");
    help(h5.putGroup("processing"), "Intermediate analysis of acquired data");
    WritableGroup stimulus = h5.putGroup("stimulus");
    help(stimulus.putGroup("presentation"), "Stimuli presented during the experiment");
    help(stimulus.putGroup("templates"), "Template stimuli, referenced by presentations");
    WritableGroup general = h5.putGroup("general");
    boolean empty = true;
    if (file.sessionId() != null) {
      general.putDataset("session_id", file.sessionId());
      empty = false;
    }
    if (file.subjectId() != null) {
      WritableGroup subject = general.putGroup("subject");
      typed(subject, "Subject", file, "/general/subject");
      subject.putDataset("subject_id", file.subjectId());
      empty = false;
    }
    if (empty) {
      help(general, "Experimental metadata, including protocol, notes and description");
    }
  }

  private static void writeSeries(WritableGroup acquisition, NwbFile file, NwbTimeSeries s) {
    WritableGroup g = acquisition.putGroup(s.name());
    typed(g, "TimeSeries", file, "/acquisition/" + s.name());
    g.putAttribute("description", s.description());
    g.putAttribute("comments", s.comments());

    float[] flat = s.data();
    int channels = s.channels();
    float[][] rows = new float[s.samples()][channels];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(flat, i * channels, rows[i], 0, channels);
    }
    WritableDataset data = g.putDataset("data", rows);
    data.putAttribute("unit", s.unit());
    data.putAttribute("conversion", 1.0f);
    data.putAttribute("resolution", -1.0f);
    data.putAttribute("offset", 0.0f);

    if (s.isRegular()) {
      WritableDataset start = g.putDataset("starting_time", s.startingTime());
      start.putAttribute("rate", (float) s.rate());
      start.putAttribute("unit", "seconds");
    } else {
      WritableDataset ts = g.putDataset("timestamps", s.timestamps());
      ts.putAttribute("interval", 1);
      ts.putAttribute("unit", "seconds");
    }
  }

  private static void typed(WritableNode node, String type, NwbFile file, String path) {
    node.putAttribute("namespace", NAMESPACE);
    node.putAttribute("neurodata_type", type);
    node.putAttribute("object_id", objectId(file, path));
  }

  private static void help(WritableGroup group, String text) {
    // jHDF 0.9.4 writes a group with no children and no attributes that HDF5 cannot open.
    group.putAttribute("help", text);
  }

  /** Name-based UUID of the file identifier and an object path: stable for the same input. */
  static String objectId(NwbFile file, String path) {
    return UUID.nameUUIDFromBytes(
            (file.identifier() + "\n" + path).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}

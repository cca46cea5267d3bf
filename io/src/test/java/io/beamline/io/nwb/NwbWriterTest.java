package io.beamline.io.nwb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.testing.Interop;
import io.jhdf.HdfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NwbWriterTest {
  @TempDir Path dir;

  static final Instant START = Instant.parse("2024-05-01T12:00:00.25Z");

  static NwbFile header() {
    return NwbFile.of("subj123_sessA", "Constellation demo", START)
        .withFileCreateDate(Instant.parse("2024-05-02T08:30:00Z"))
        .withSubjectId("subj123")
        .withSessionId("sessA");
  }

  /** EEG-like: 5 samples x 3 channels, value = sample + channel / 10. */
  static NwbTimeSeries eeg() {
    float[] d = new float[15];
    for (int i = 0; i < 5; i++) {
      for (int c = 0; c < 3; c++) {
        d[i * 3 + c] = i + c / 10f;
      }
    }
    return NwbTimeSeries.ofRate("eeg", d, 3, "volts", 0.5, 250.0).withDescription("EEG 3 ch");
  }

  static NwbTimeSeries phone() {
    return NwbTimeSeries.ofTimestamps(
        "phone", new float[] {1, 0, 2, 1}, 2, "n.a.", new double[] {0.0, 1.02});
  }

  @Test
  void h5pyReadsEveryRequiredGroupAttributeAndDataset() throws Exception {
    Interop.requirePython("h5py", "numpy");
    Path nwb = dir.resolve("subj123_sessA.nwb");
    NwbWriter.write(nwb, header(), List.of(phone(), eeg()));
    String code =
        String.join(
            "\n",
            "import sys, uuid, datetime, h5py, numpy as np",
            "def s(v):",
            "    v = v[()] if isinstance(v, h5py.Dataset) else v",
            "    return v.decode('utf-8') if isinstance(v, (bytes, np.bytes_)) else str(v)",
            "f = h5py.File(sys.argv[1], 'r')",
            "assert s(f.attrs['nwb_version']) == '2.7.0'",
            "assert s(f.attrs['namespace']) == 'core'",
            "assert s(f.attrs['neurodata_type']) == 'NWBFile'",
            "uuid.UUID(s(f.attrs['object_id']))",
            "for g in ['acquisition', 'analysis', 'processing', 'stimulus/presentation',"
                + " 'stimulus/templates', 'general', 'general/subject']:",
            "    assert isinstance(f[g], h5py.Group), g",
            "assert f['file_create_date'].shape == (1,)",
            "assert s(f['file_create_date'][0]) == '2024-05-02T08:30:00.000000+00:00'",
            "assert s(f['identifier']) == 'subj123_sessA'",
            "assert s(f['session_description']) == 'Constellation demo'",
            "assert s(f['session_start_time']) == '2024-05-01T12:00:00.250000+00:00'",
            "assert s(f['timestamps_reference_time']) == '2024-05-01T12:00:00.250000+00:00'",
            "t = datetime.datetime.fromisoformat(s(f['session_start_time']))",
            "assert t.tzinfo is not None and t.microsecond == 250000",
            "assert s(f['general/session_id']) == 'sessA'",
            "sub = f['general/subject']",
            "assert s(sub.attrs['neurodata_type']) == 'Subject' and s(sub['subject_id']) == 'subj123'",
            "ids = {s(f.attrs['object_id'])}",
            "assert sorted(f['acquisition'].keys()) == ['eeg', 'phone']",
            "for name in ['eeg', 'phone']:",
            "    g = f['acquisition'][name]",
            "    assert s(g.attrs['neurodata_type']) == 'TimeSeries'",
            "    assert s(g.attrs['namespace']) == 'core'",
            "    ids.add(str(uuid.UUID(s(g.attrs['object_id']))))",
            "    d = g['data']",
            "    assert d.dtype == np.float32, d.dtype",
            "    assert d.attrs['conversion'] == 1.0 and d.attrs['resolution'] == -1.0",
            "e = f['acquisition/eeg']",
            "exp = (np.arange(5)[:, None] + np.arange(3)[None, :] / 10).astype(np.float32)",
            "assert e['data'].shape == (5, 3) and np.array_equal(e['data'][()], exp)",
            "assert s(e['data'].attrs['unit']) == 'volts'",
            "assert s(e.attrs['description']) == 'EEG 3 ch'",
            "st = e['starting_time']",
            "assert st.shape == () and st[()] == 0.5",
            "assert st.attrs['rate'] == 250.0 and s(st.attrs['unit']) == 'seconds'",
            "assert 'timestamps' not in e",
            "p = f['acquisition/phone']",
            "assert p['data'].shape == (2, 2)",
            "assert np.array_equal(p['data'][()], np.array([[1, 0], [2, 1]], dtype=np.float32))",
            "assert p['timestamps'].dtype == np.float64",
            "assert np.array_equal(p['timestamps'][()], [0.0, 1.02])",
            "assert s(p['timestamps'].attrs['unit']) == 'seconds' and 'starting_time' not in p",
            "ids.add(s(sub.attrs['object_id']))",
            "assert len(ids) == 4, ids",
            "print('ok')");
    Interop.Result r = Interop.python(code, nwb.toString()).assertSuccess("h5py NWB check");
    assertEquals("ok", r.stdout().strip());
  }

  @Test
  void h5pyReadsEveryObjectOfAFileWithAllConstellationModalities() throws Exception {
    // Many series of different sizes: the layouts that triggered jHDF 0.9.4's header overwrite.
    Interop.requirePython("h5py", "numpy");
    String[] names = {"audio", "ecg", "eda", "eeg", "fnirs", "phone", "respiration", "video_ts"};
    int[] channels = {1, 1, 1, 8, 16, 3, 1, 2};
    double[] rates = {16000, 250, 50, 250, 10, 1, 25, 30};
    List<NwbTimeSeries> series = new java.util.ArrayList<>();
    for (int m = 0; m < names.length; m++) {
      int samples = (int) Math.min(rates[m], 300) + m;
      float[] d = new float[samples * channels[m]];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) Math.sin(i * 0.01 + m);
      }
      series.add(NwbTimeSeries.ofRate(names[m], d, channels[m], "a.u.", 0, rates[m]));
    }
    Path nwb = dir.resolve("all.nwb");
    NwbWriter.write(nwb, header(), series);
    String code =
        String.join(
            "\n",
            "import sys, h5py, numpy as np",
            "f = h5py.File(sys.argv[1], 'r')",
            "n = []",
            "def visit(name, obj):",
            "    dict(obj.attrs)",
            "    if isinstance(obj, h5py.Dataset):",
            "        obj[()]",
            "    n.append(name)",
            "f.visititems(visit)",
            "for name, ch in zip(sys.argv[2].split(','), map(int, sys.argv[3].split(','))):",
            "    d = f['acquisition/' + name + '/data']",
            "    assert d.shape[1] == ch, (name, d.shape)",
            "    flat = d[()].ravel()",
            "    m = sys.argv[2].split(',').index(name)",
            "    exp = np.sin(np.arange(flat.size) * 0.01 + m).astype(np.float32)",
            "    assert np.allclose(flat, exp, atol=1e-6), name",
            "print(len(n))");
    Interop.Result r =
        Interop.python(
                code,
                nwb.toString(),
                String.join(",", names),
                java.util.Arrays.stream(channels)
                    .mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(",")))
            .assertSuccess("h5py visit");
    // 8 groups (acquisition, analysis, processing, stimulus + 2, general, general/subject),
    // 5 root datasets, general/session_id,
    // subject_id, and per series: group + data + starting_time.
    assertEquals(8 + 5 + 2 + 3 * names.length, Integer.parseInt(r.stdout().strip()));
  }

  @Test
  void emptyFileStillOpensInH5py() throws Exception {
    Interop.requirePython("h5py");
    Path nwb = dir.resolve("empty.nwb");
    NwbWriter.write(nwb, NwbFile.of("id", "nothing recorded", START), List.of());
    String code =
        String.join(
            "\n",
            "import sys, h5py",
            "f = h5py.File(sys.argv[1], 'r')",
            "for g in ['acquisition', 'analysis', 'processing', 'stimulus/presentation',"
                + " 'stimulus/templates', 'general']:",
            "    assert len(f[g]) == 0, g",
            "print('ok')");
    assertEquals("ok", Interop.python(code, nwb.toString()).assertSuccess("h5py").stdout().strip());
  }

  @Test
  void jhdfReadsTheDataBack() throws Exception {
    Path nwb = dir.resolve("x.nwb");
    NwbWriter.write(nwb, header(), List.of(eeg()));
    try (HdfFile f = new HdfFile(nwb)) {
      float[][] data = (float[][]) f.getDatasetByPath("/acquisition/eeg/data").getData();
      assertEquals(5, data.length);
      assertArrayEquals(new float[] {4f, 4.1f, 4.2f}, data[4]);
      assertEquals("2.7.0", f.getAttribute("nwb_version").getData());
      assertEquals(
          250f,
          f.getDatasetByPath("/acquisition/eeg/starting_time").getAttribute("rate").getData());
    }
  }

  @Test
  void sameInputGivesIdenticalBytesAndNoTemporaryFileRemains() throws Exception {
    Path a = dir.resolve("a.nwb");
    Path b = dir.resolve("b.nwb");
    NwbWriter.write(a, header(), List.of(eeg(), phone()));
    NwbWriter.write(b, header(), List.of(phone(), eeg()));
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")));
    }
  }

  @Test
  void duplicateSeriesNamesAreRejectedAndNothingIsWritten() {
    Path nwb = dir.resolve("dup.nwb");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NwbWriter.write(nwb, header(), List.of(eeg(), eeg())));
    assertEquals(
        "two time series are named 'eeg'; names must be unique in acquisition", e.getMessage());
    assertFalse(Files.exists(nwb));
  }

  @Test
  void seriesValidationNamesTheSeries() {
    assertEquals(
        "series 'eeg': data length 5 must be a positive multiple of channels=2",
        assertThrows(
                IllegalArgumentException.class,
                () -> NwbTimeSeries.ofRate("eeg", new float[5], 2, "volts", 0, 250))
            .getMessage());
    assertEquals(
        "series 'p': 1 timestamps for 2 samples; give one per sample",
        assertThrows(
                IllegalArgumentException.class,
                () -> NwbTimeSeries.ofTimestamps("p", new float[2], 1, "n.a.", new double[] {0}))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> NwbTimeSeries.ofRate("a/b", new float[1], 1, "volts", 0, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> NwbTimeSeries.ofTimestamps("p", new float[2], 1, "n.a.", new double[] {1, 0}));
  }

  @Test
  void isoTimeUsesMicrosecondsAndOffset() {
    assertEquals("2024-05-01T12:00:00.250000+00:00", NwbWriter.isoTime(START));
  }
}

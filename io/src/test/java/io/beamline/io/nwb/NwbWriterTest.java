package io.beamline.io.nwb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
        .withSessionId("sessA")
        .withSubject(
            NwbSubject.of("subj123")
                .withSpecies("Homo sapiens")
                .withSex("F")
                .withAge("P34Y")
                .withDescription("healthy adult volunteer"))
        .withExperimenters(List.of("Doe, Jane", "Roe, Émile"))
        .withInstitution("Beamline Lab")
        .withExperimentDescription("Resting state, eyes closed")
        .withKeywords(List.of("EEG", "synthetic"));
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

  /** Python helpers: every text must be a variable-length UTF-8 string, as the schema wants. */
  static final String PY_TEXT =
      String.join(
          "\n",
          "import h5py, numpy as np",
          "def vlen_utf8(dt, what):",
          "    info = h5py.check_string_dtype(dt)",
          "    assert info is not None and info.length is None and info.encoding == 'utf-8', (what, dt, info)",
          "def text(obj, what=''):",
          "    vlen_utf8(obj.dtype, what or obj.name)",
          "    v = obj.asstr()[()]",
          "    return v.tolist() if isinstance(v, np.ndarray) else v",
          "def attr(obj, name):",
          "    vlen_utf8(obj.attrs.get_id(name).dtype, obj.name + '.' + name)",
          "    v = obj.attrs[name]",
          "    assert isinstance(v, str), (obj.name, name, type(v))",
          "    return v",
          "def no_fixed_length_text(f):",
          "    bad = []",
          "    def check(name, obj):",
          "        for k in obj.attrs:",
          "            if obj.attrs.get_id(k).dtype.kind == 'S': bad.append(name + '.' + k)",
          "        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == 'S': bad.append(name)",
          "    check('/', f)",
          "    f.visititems(check)",
          "    assert not bad, 'fixed-length strings: %s' % bad");

  @Test
  void h5pyReadsEveryDatasetAndAttributeWithTheDtypeTheSchemaWants() throws Exception {
    Interop.requirePython("h5py", "numpy");
    Path nwb = dir.resolve("subj123_sessA.nwb");
    NwbWriter.write(nwb, header(), List.of(phone(), eeg()));
    String code =
        String.join(
            "\n",
            PY_TEXT,
            "import sys, uuid, datetime, json",
            "f = h5py.File(sys.argv[1], 'r')",
            "no_fixed_length_text(f)",
            "assert attr(f, 'nwb_version') == '2.7.0'",
            "assert attr(f, 'namespace') == 'core'",
            "assert attr(f, 'neurodata_type') == 'NWBFile'",
            "uuid.UUID(attr(f, 'object_id'))",
            "assert f[f.attrs['.specloc']].name == '/specifications'",
            "for g in ['acquisition', 'analysis', 'processing', 'stimulus/presentation',"
                + " 'stimulus/templates', 'general', 'general/subject']:",
            "    assert isinstance(f[g], h5py.Group), g",
            "assert f['file_create_date'].shape == (1,)",
            "assert text(f['file_create_date']) == ['2024-05-02T08:30:00.000000+00:00']",
            "assert text(f['identifier']) == 'subj123_sessA'",
            "assert text(f['session_description']) == 'Constellation demo'",
            "assert text(f['session_start_time']) == '2024-05-01T12:00:00.250000+00:00'",
            "assert text(f['timestamps_reference_time']) == '2024-05-01T12:00:00.250000+00:00'",
            "t = datetime.datetime.fromisoformat(text(f['session_start_time']))",
            "assert t.tzinfo is not None and t.microsecond == 250000",
            "g = f['general']",
            "assert text(g['session_id']) == 'sessA'",
            "assert g['experimenter'].shape == (2,)",
            "assert text(g['experimenter']) == ['Doe, Jane', 'Roe, \u00c9mile']",
            "assert text(g['institution']) == 'Beamline Lab'",
            "assert text(g['experiment_description']) == 'Resting state, eyes closed'",
            "assert text(g['keywords']) == ['EEG', 'synthetic']",
            "sub = g['subject']",
            "assert attr(sub, 'neurodata_type') == 'Subject' and attr(sub, 'namespace') == 'core'",
            "assert text(sub['subject_id']) == 'subj123' and text(sub['species']) == 'Homo sapiens'",
            "assert text(sub['sex']) == 'F' and text(sub['age']) == 'P34Y'",
            "assert attr(sub['age'], 'reference') == 'birth'",
            "assert text(sub['description']) == 'healthy adult volunteer'",
            "ids = {attr(f, 'object_id'), attr(sub, 'object_id')}",
            "assert sorted(f['acquisition'].keys()) == ['eeg', 'phone']",
            "for name in ['eeg', 'phone']:",
            "    ts = f['acquisition'][name]",
            "    assert attr(ts, 'neurodata_type') == 'TimeSeries' and attr(ts, 'namespace') == 'core'",
            "    ids.add(str(uuid.UUID(attr(ts, 'object_id'))))",
            "    attr(ts, 'comments')",
            "    d = ts['data']",
            "    assert d.dtype == np.float32, d.dtype",
            "    for a, v in [('conversion', 1.0), ('resolution', -1.0), ('offset', 0.0)]:",
            "        assert d.attrs.get_id(a).dtype == np.float32 and d.attrs[a] == v, a",
            "assert len(ids) == 4, ids",
            "e = f['acquisition/eeg']",
            "exp = (np.arange(5)[:, None] + np.arange(3)[None, :] / 10).astype(np.float32)",
            "assert e['data'].shape == (5, 3) and np.array_equal(e['data'][()], exp)",
            "assert attr(e['data'], 'unit') == 'volts' and attr(e, 'description') == 'EEG 3 ch'",
            "st = e['starting_time']",
            "assert st.shape == () and st.dtype == np.float64 and st[()] == 0.5",
            "assert st.attrs.get_id('rate').dtype == np.float32 and st.attrs['rate'] == 250.0",
            "assert attr(st, 'unit') == 'seconds' and 'timestamps' not in e",
            "p = f['acquisition/phone']",
            "assert p['data'].shape == (2, 2)",
            "assert np.array_equal(p['data'][()], np.array([[1, 0], [2, 1]], dtype=np.float32))",
            "assert p['timestamps'].dtype == np.float64",
            "assert np.array_equal(p['timestamps'][()], [0.0, 1.02])",
            "assert p['timestamps'].attrs.get_id('interval').dtype == np.int32",
            "assert p['timestamps'].attrs['interval'] == 1",
            "assert attr(p['timestamps'], 'unit') == 'seconds' and 'starting_time' not in p",
            "spec = f['specifications']",
            "assert sorted(spec.keys()) == ['core', 'hdmf-common'], list(spec.keys())",
            "assert list(spec['core'].keys()) == ['2.7.0'] and list(spec['hdmf-common'].keys()) == ['1.8.0']",
            "ns = json.loads(text(spec['core/2.7.0/namespace']))['namespaces'][0]",
            "assert ns['name'] == 'core' and ns['version'] == '2.7.0'",
            "sources = [s['source'] for s in ns['schema'] if 'source' in s]",
            "assert sorted(sources + ['namespace']) == sorted(spec['core/2.7.0'].keys())",
            "types = [g.get('neurodata_type_def') for g in json.loads(text(spec['core/2.7.0/nwb.file']))['groups']]",
            "assert 'NWBFile' in types and 'Subject' in types, types",
            "hc = json.loads(text(spec['hdmf-common/1.8.0/namespace']))['namespaces'][0]",
            "assert hc['name'] == 'hdmf-common' and hc['version'] == '1.8.0'",
            "print('ok')");
    Interop.Result r = Interop.python(code, nwb.toString()).assertSuccess("h5py NWB check");
    assertEquals("ok", r.stdout().strip());
  }

  @Test
  void hdmfValidatesTheFileAgainstTheSpecificationsItCaches() throws Exception {
    Path full = dir.resolve("full.nwb");
    NwbWriter.write(full, header(), List.of(phone(), eeg()));
    Path bare = dir.resolve("bare.nwb");
    NwbWriter.write(bare, NwbFile.of("id", "nothing recorded", START), List.of());
    List<JsonNode> reports = NwbSchemaCheck.validate(List.of(full, bare));
    // NWBFile, Subject and the two TimeSeries, each validated against its own type.
    assertEquals(4, NwbSchemaCheck.assertValid(reports.get(0), full).get("typed_objects").asInt());
    assertEquals(1, NwbSchemaCheck.assertValid(reports.get(1), bare).get("typed_objects").asInt());
  }

  @Test
  void hdmfValidationReportsWhatBreaksTheSchema() throws Exception {
    // The control for the test above: the same validator, on copies of a valid file broken with
    // h5py, names each violation.
    Interop.requirePython("h5py", "numpy");
    Path valid = dir.resolve("valid.nwb");
    NwbWriter.write(valid, header(), List.of(phone(), eeg()));
    String[][] cases = {
      {"del f['identifier']", "root/identifier (): argument missing"},
      {
        "del f['acquisition/eeg/data'].attrs['unit']",
        "TimeSeries/data/unit (acquisition/eeg/data): argument missing"
      },
      {
        "f['acquisition/eeg/starting_time'].attrs['rate'] = 'fast'",
        "TimeSeries/starting_time/rate (acquisition/eeg/starting_time.rate): incorrect type -"
            + " expected 'float32', got 'utf'"
      },
      {
        "del f['general/keywords']; f['general/keywords'] = 'EEG'",
        "root/general/keywords (general/keywords): incorrect shape - expected an array of shape"
            + " '[None]', got non-array data 'EEG'"
      },
      {
        "del f['session_start_time']; f['session_start_time'] = 1.5",
        "root/session_start_time (session_start_time): incorrect type - expected 'isodatetime',"
            + " got 'float64'"
      },
    };
    for (String[] c : cases) {
      Path broken = dir.resolve("broken.nwb");
      Files.copy(valid, broken, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Interop.python(
              "import sys, h5py\nf = h5py.File(sys.argv[1], 'a')\n" + c[0] + "\nf.close()",
              broken.toString())
          .assertSuccess("h5py edit");
      assertEquals(
          List.of(c[1]), toList(NwbSchemaCheck.validate(broken).get("errors")), "after " + c[0]);
    }
  }

  private static List<String> toList(com.fasterxml.jackson.databind.JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(e -> out.add(e.asText()));
    return out;
  }

  @Test
  void jhdfReadsOurFilesWithoutAWarning() throws Exception {
    Path nwb = dir.resolve("all.nwb");
    NwbWriter.write(nwb, header(), allModalities());
    assertEquals(List.of(), NwbSchemaCheck.jhdfWarnings(nwb));
  }

  @Test
  void theWarningCaptureSeesJhdfsWarningsOnAFileJhdfWrote() throws Exception {
    // Control for the test above: jHDF 0.9.4's own writer puts more bytes into a string
    // attribute message than its datatype declares, and jHDF's reader says so.
    Path jhdf = dir.resolve("jhdf.h5");
    try (io.jhdf.WritableHdfFile f = HdfFile.write(jhdf)) {
      f.putAttribute("object_id", "fdf35a1d-60d2-393c-b92c-e42ba00f7291");
    }
    List<String> warnings = NwbSchemaCheck.jhdfWarnings(jhdf);
    assertTrue(
        warnings.stream().anyMatch(w -> w.contains("buffer still has 3 bytes remaining")),
        "" + warnings);
  }

  /** One series per constellation modality, of different sizes and rates. */
  static List<NwbTimeSeries> allModalities() {
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
    return series;
  }

  @Test
  void h5pyReadsEveryObjectOfAFileWithAllConstellationModalities() throws Exception {
    // Many series of different sizes: the layouts that triggered jHDF 0.9.4's header overwrite.
    Interop.requirePython("h5py", "numpy");
    String[] names = {"audio", "ecg", "eda", "eeg", "fnirs", "phone", "respiration", "video_ts"};
    int[] channels = {1, 1, 1, 8, 16, 3, 1, 2};
    Path nwb = dir.resolve("all.nwb");
    NwbWriter.write(nwb, header(), allModalities());
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
    // 5 root datasets, 5 in general (session_id, experimenter, institution,
    // experiment_description, keywords), 5 in general/subject, per series: group + data +
    // starting_time; the cached specifications: 5 groups, 13 core and 4 hdmf-common texts.
    assertEquals(
        8 + 5 + 5 + 5 + 3 * names.length + 5 + 13 + 4, Integer.parseInt(r.stdout().strip()));
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
      assertEquals("Homo sapiens", f.getDatasetByPath("/general/subject/species").getData());
      assertArrayEquals(
          new String[] {"EEG", "synthetic"},
          (String[]) f.getDatasetByPath("/general/keywords").getData());
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
  void subjectAndGeneralMetadataAreCheckedWhenSet() {
    assertEquals(
        "sex must be F, M, U (unknown) or O (other), got 'female'",
        assertThrows(IllegalArgumentException.class, () -> NwbSubject.of("s").withSex("female"))
            .getMessage());
    assertEquals(
        "age must be an ISO 8601 duration such as P90D or P34Y, or a range such as P10W/P12W or"
            + " P18Y/, got '34 years'",
        assertThrows(IllegalArgumentException.class, () -> NwbSubject.of("s").withAge("34 years"))
            .getMessage());
    for (String age : List.of("P90D", "P34Y", "P1Y6M", "PT12H", "P10W/P12W", "P18Y/")) {
      assertEquals(age, NwbSubject.of("s").withAge(age).age());
    }
    for (String age : List.of("P", "PT", "P18Y//", "18Y", "P1.5Y")) {
      assertThrows(IllegalArgumentException.class, () -> NwbSubject.of("s").withAge(age), age);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> NwbFile.of("id", "d", START).withKeywords(List.of("EEG", " ")));
    assertThrows(
        IllegalArgumentException.class, () -> NwbFile.of("id", "d", START).withInstitution(""));
    // withSubjectId keeps its meaning: a subject with only the id.
    NwbFile f = header().withSubjectId("other");
    assertEquals("other", f.subjectId());
    assertEquals(null, f.subject().species());
  }

  @Test
  void theCachedSpecificationsAreTheVersionsTheFileDeclares() {
    assertEquals(NwbWriter.NWB_VERSION, NwbSpecs.CORE.version());
    assertEquals(NwbWriter.HDMF_COMMON_VERSION, NwbSpecs.HDMF_COMMON.version());
    assertEquals(
        List.of(
            "namespace",
            "nwb.base",
            "nwb.device",
            "nwb.epoch",
            "nwb.image",
            "nwb.file",
            "nwb.misc",
            "nwb.behavior",
            "nwb.ecephys",
            "nwb.icephys",
            "nwb.ogen",
            "nwb.ophys",
            "nwb.retinotopy"),
        List.copyOf(NwbSpecs.CORE.texts().keySet()));
    assertEquals(
        List.of("namespace", "base", "table", "sparse"),
        List.copyOf(NwbSpecs.HDMF_COMMON.texts().keySet()));
    assertTrue(NwbSpecs.CORE.texts().get("namespace").contains("{\"namespace\":\"hdmf-common\"}"));
    assertThrows(IllegalStateException.class, () -> NwbSpecs.load("core", "9.9.9"));
    assertTrue(
        NwbSpecs.class.getResource("specifications/LICENSE.txt") != null,
        "the specifications' license travels with them");
  }

  @Test
  void isoTimeUsesMicrosecondsAndOffset() {
    assertEquals("2024-05-01T12:00:00.250000+00:00", NwbWriter.isoTime(START));
  }
}

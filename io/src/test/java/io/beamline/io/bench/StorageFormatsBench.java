package io.beamline.io.bench;

import io.beamline.io.nwb.NwbFile;
import io.beamline.io.nwb.NwbTimeSeries;
import io.beamline.io.nwb.NwbWriter;
import io.beamline.io.webdataset.NpyArray;
import io.beamline.io.webdataset.ShardWriter;
import io.beamline.io.webdataset.WebDatasetSample;
import io.beamline.io.zarr.OmeZarrLayout;
import io.beamline.io.zarr.OmeZarrWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Throughput of the storage writers (WebDataset shards, OME-Zarr frames, NWB files) against a
 * baseline that writes the same payload bytes with a plain buffered stream, in the same JVM and
 * directory; the WebDataset writer also against GNU {@code tar -cf} over the same sample files
 * (written to a directory beforehand, untimed) followed by {@code sync} of the archive, since the
 * shard writer forces its shards to disk. Prints MB/s of payload and the ratio writer/baseline of
 * the medians of the rounds, and reports each as a {@link BenchRow}. Run with {@code
 * bench/storage-formats.sh [rounds=5]}.
 */
public final class StorageFormatsBench {
  private StorageFormatsBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("storage-bench");
    try {
      Random rnd = new Random(42);
      // WebDataset: 2000 one-second windows of EEG 250 x 8 float32 plus JSON metadata.
      List<WebDatasetSample> samples = new ArrayList<>();
      List<byte[]> payload = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        float[] eeg = new float[250 * 8];
        for (int k = 0; k < eeg.length; k++) {
          eeg[k] = (float) rnd.nextGaussian();
        }
        WebDatasetSample s =
            WebDatasetSample.of(String.format("w%06d", i))
                .withNpy("eeg.npy", NpyArray.float32(eeg, 250, 8))
                .withJson("json", "{\"window\": " + i + ", \"t0_s\": " + i + ".0}");
        samples.add(s);
        payload.addAll(s.fields().values());
      }
      Job webdataset =
          d -> {
            try (ShardWriter w = new ShardWriter(d, "shard-%06d.tar", 1000, 1L << 30)) {
              for (WebDatasetSample s : samples) {
                w.write(s);
              }
            }
          };
      report(
          rounds, "webdataset", "webdataset (2000 samples, 1000/shard)", payload, dir, webdataset);
      Path files = dir.resolve("samples");
      Files.createDirectories(files);
      for (WebDatasetSample s : samples) {
        for (var f : s.fields().entrySet()) {
          Files.write(files.resolve(s.key() + "." + f.getKey()), f.getValue());
        }
      }
      report(
          rounds,
          "webdataset-tar",
          "webdataset vs GNU tar (2000 samples)",
          "GNU tar -cf + sync",
          payload,
          dir,
          webdataset,
          d -> tar(files, d.resolve("all.tar")));

      // OME-Zarr: 300 frames (10 s at 30 fps) of 3 x 64 x 64 smooth-ish pixels, zlib 5, 1 level.
      OmeZarrLayout layout = OmeZarrLayout.of(3, 64, 64);
      List<byte[]> frames = new ArrayList<>();
      for (int t = 0; t < 300; t++) {
        byte[] f = new byte[layout.frameBytes()];
        for (int i = 0; i < f.length; i++) {
          f[i] = (byte) ((i % 64) * 2 + t + rnd.nextInt(8));
        }
        frames.add(f);
      }
      report(
          rounds,
          "ome-zarr-zlib5",
          "ome-zarr zlib5 (300 frames 3x64x64)",
          frames,
          dir,
          d -> {
            try (OmeZarrWriter w = OmeZarrWriter.create(d.resolve("v.zarr"), layout)) {
              for (byte[] f : frames) {
                w.append(f);
              }
            }
          });
      for (String sep : new String[] {"/", "."}) {
        OmeZarrLayout raw = layout.withZlibLevel(-1).withDimensionSeparator(sep);
        report(
            rounds,
            "ome-zarr-raw-" + ("/".equals(sep) ? "slash" : "dot"),
            "ome-zarr raw, separator " + sep + " (300 frames)",
            frames,
            dir,
            d -> {
              try (OmeZarrWriter w = OmeZarrWriter.create(d.resolve("v.zarr"), raw)) {
                for (byte[] f : frames) {
                  w.append(f);
                }
              }
            });
      }

      // NWB: 10 s of EEG 250 Hz x 8, ECG 250 x 1, audio 16 kHz x 1, fNIRS 10 x 16.
      List<NwbTimeSeries> series = new ArrayList<>();
      List<byte[]> nwbPayload = new ArrayList<>();
      int[][] shapes = {{2500, 8}, {2500, 1}, {160000, 1}, {100, 16}};
      String[] names = {"eeg", "ecg", "audio", "fnirs"};
      for (int m = 0; m < names.length; m++) {
        float[] d = new float[shapes[m][0] * shapes[m][1]];
        for (int i = 0; i < d.length; i++) {
          d[i] = (float) rnd.nextGaussian();
        }
        series.add(NwbTimeSeries.ofRate(names[m], d, shapes[m][1], "volts", 0, 250));
        ByteBuffer b = ByteBuffer.allocate(d.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(d);
        nwbPayload.add(b.array());
      }
      NwbFile header = NwbFile.of("bench", "benchmark", Instant.parse("2024-01-01T00:00:00Z"));
      report(
          rounds,
          "nwb",
          "nwb (4 series, 10 s)",
          nwbPayload,
          dir,
          d -> NwbWriter.write(d.resolve("x.nwb"), header, series));
    } finally {
      deleteTree(dir);
    }
  }

  interface Job {
    void run(Path dir) throws Exception;
  }

  /** Reports {@code job} against a plain buffered write of the same payload bytes. */
  private static void report(
      int rounds, String id, String name, List<byte[]> payload, Path root, Job job)
      throws Exception {
    Job buffered =
        d -> {
          try (OutputStream out =
              new BufferedOutputStream(Files.newOutputStream(d.resolve("baseline.bin")), 1 << 16)) {
            for (byte[] b : payload) {
              out.write(b);
            }
          }
        };
    report(rounds, id, name, "buffered write", payload, root, job, buffered);
  }

  private static void report(
      int rounds,
      String id,
      String name,
      String baselineName,
      List<byte[]> payload,
      Path root,
      Job job,
      Job baseline)
      throws Exception {
    double mb = payload.stream().mapToLong(b -> b.length).sum() / 1e6;
    // Warm up both, then alternate them for the rounds.
    time(baseline, root);
    time(job, root);
    double[] base = new double[rounds];
    double[] writer = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      base[r] = mb / (time(baseline, root) / 1e9);
      writer[r] = mb / (time(job, root) / 1e9);
    }
    double mw = BenchRow.median(writer);
    double mbase = BenchRow.median(base);
    System.out.printf(
        "%-40s payload %7.1f MB  writer %8.1f MB/s  %s %8.1f MB/s  ratio %.4f%n",
        name, mb, mw, baselineName, mbase, mw / mbase);
    BenchRow.emit(
        "storage-" + id, "storage: " + name, "writer", baselineName, "MB/s", writer, base);
  }

  /** {@code tar -cf target} over the files of {@code dir}, then {@code sync target}. */
  private static void tar(Path dir, Path target) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                "tar -cf \"$1\" -C \"$2\" . && sync \"$1\"",
                "tar",
                target.toString(),
                dir.toString())
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IOException("tar -cf " + target + " exited with " + p.exitValue());
    }
  }

  private static long time(Job job, Path root) throws Exception {
    Path d = Files.createTempDirectory(root, "run");
    long t0 = System.nanoTime();
    job.run(d);
    long t = System.nanoTime() - t0;
    deleteTree(d);
    return t;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}

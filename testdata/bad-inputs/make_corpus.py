#!/usr/bin/env python3
"""Writes the bad-input corpus next to this script (run once; the files are committed).

Every file is small; the "huge" ones lie in their headers instead of being large, so a reader that
trusts a header without checking it against the file allocates gigabytes. Only the Python standard
library is used, so the corpus can be regenerated anywhere. See README.md for what each file is and
cases.tsv for the commands it is fed to and the outcome they must give.
"""
import io
import os
import struct
import zipfile
import math

HERE = os.path.dirname(os.path.abspath(__file__))


def out(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def wav(rate=22050, channels=1, bits=16, frames=22050, data_size=None, riff_size=None,
        fmt_tag=1, block_align=None, payload=None):
    if payload is None:
        # A 1 kHz tone, seeded by nothing: fully determined.
        samples = [int(8000 * math.sin(2 * math.pi * 1000 * i / max(rate, 1))) for i in range(frames)]
        payload = b"".join(struct.pack("<h", s) * channels for s in samples) if bits == 16 else bytes(frames)
    if data_size is None:
        data_size = len(payload)
    if block_align is None:
        block_align = channels * max(bits, 8) // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, (rate * block_align) & 0xFFFFFFFF, block_align & 0xFFFF, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data_size) + payload
    if riff_size is None:
        riff_size = len(body)
    return b"RIFF" + struct.pack("<I", riff_size) + body


# --- WAV recordings (infer chunk --recordings DIR; manifest chunk files for infer run) ---
good = wav()
out("wav/truncated.wav", good[: len(good) // 3])
out("wav/lying-rate-zero.wav", wav(rate=0))
out("wav/lying-channels-zero.wav", wav(channels=0, block_align=2))
out("wav/lying-block-align.wav", wav(bits=24, block_align=1))  # 24-bit samples in 1-byte frames
out("wav/lying-data-size-4gb.wav", wav(frames=512, data_size=0xFFFFFFF0))
out("wav/huge-channel-count.wav", wav(channels=65535, frames=0, payload=b"\x00" * 64, block_align=65534))
out("wav/huge-rate.wav", wav(rate=4_000_000_000 & 0xFFFFFFFF, frames=64))
out("wav/text-named.wav", b"this is a text file that someone named .wav\n" * 20)
out("wav/empty.wav", b"")
out("wav/riff-without-wave.wav", b"RIFF" + struct.pack("<I", 4) + b"AVI ")
out("wav/no-data-chunk.wav", wav()[: 12 + 8 + 16])
out("wav/unknown-format-tag.wav", wav(fmt_tag=0x55))  # MP3 inside a WAV container

# --- chunk manifests (infer run --manifest) ---
HEADER = "recording_id,chunk_id,source_path,start_ms,end_ms,overlap_ms,sha256,notes\n"
out("manifests/empty.csv", b"")
# A header-only manifest is valid (a recording shorter than a chunk, with --partial drop): no file.
out("manifests/missing-column.csv",
    b"recording_id,chunk_id,start_ms,end_ms\nrec,rec_0_3000,0,3000\n")
out("manifests/dotdot-path.csv",
    (HEADER + "rec,rec_0_3000,../../../../etc/hostname,0,3000,0,,\n").encode())
out("manifests/absolute-outside.csv",
    (HEADER + "rec,rec_0_3000,/etc/hostname,0,3000,0,,\n").encode())
out("manifests/missing-file.csv",
    (HEADER + "rec,rec_0_3000,chunks/rec/does-not-exist.wav,0,3000,0,,\n").encode())
out("manifests/huge-values.csv",
    (HEADER + "rec,rec_0_3000,chunks/rec/x.wav,1e300,-5,NaN,,\n").encode())
out("manifests/utf8-oddities.csv",
    ("\ufeff" + HEADER
     + "re\u200fc\u0000,\"rec\u0301_0_3000\nsecond line\",chunks/rec/x.wav,0,3000,0,,\n").encode("utf-8"))
out("manifests/invalid-utf8.csv", HEADER.encode() + b"rec\xff\xfe,rec_0_3000,chunks/rec/x.wav,0,3000,0,,\n")
out("manifests/binary.csv", bytes((i * 37 + 11) % 256 for i in range(4096)))

# --- MAT files (regions --leadfield) ---
def mat5_double(name, rows, cols, values=None, claimed_bytes=None):
    """A MAT v5 file with one real double matrix; claimed_bytes lies about the data size."""
    header = b"MATLAB 5.0 MAT-file, Platform: corpus, Created on: 2026-01-01".ljust(116, b" ")
    header += b"\x00" * 8 + struct.pack("<HH", 0x0100, 0x4D49)  # version, 'IM' little-endian
    nm = name.encode()
    def el(t, data):
        pad = (8 - len(data) % 8) % 8
        return struct.pack("<II", t, len(data)) + data + b"\x00" * pad
    flags = el(6, struct.pack("<II", 6, 0))  # miUINT32: class double
    dims = el(5, struct.pack("<ii", rows, cols))
    namel = el(1, nm)
    if values is None:
        values = [float(i % 7) for i in range(rows * cols)]
    data = struct.pack("<%dd" % len(values), *values)
    real = struct.pack("<II", 9, claimed_bytes if claimed_bytes is not None else len(data)) + data
    body = flags + dims + namel + real
    return header + struct.pack("<II", 14, len(body)) + body

full = mat5_double("fwd", 75, 10)
out("mat/truncated.mat", full[: len(full) // 2])
out("mat/wrong-shape.mat", full)  # 75 x 10: no connectivity has 10 regions here
out("mat/text.mat", b"fwd = [1 2 3; 4 5 6]\n")
out("mat/empty.mat", b"")
out("mat/huge-dims.mat", mat5_double("fwd", 100000, 100000, values=[0.0] * 16, claimed_bytes=16 * 8))
out("mat/lying-data-size.mat", mat5_double("fwd", 4, 4, values=[1.0] * 16, claimed_bytes=0x7FFFFFF0))

# --- TVB connectivity zips (regions --connectivity) ---
def tvb_zip(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, text in members.items():
            # A fixed time, so the corpus is the same bytes whenever it is regenerated.
            info = zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return b.getvalue()

n = 4
weights = "\n".join(" ".join("1" if i != j else "0" for j in range(n)) for i in range(n)) + "\n"
tracts = "\n".join(" ".join("10" if i != j else "0" for j in range(n)) for i in range(n)) + "\n"
centres = "".join("R%d %d.0 %d.0 0.0\n" % (i, i, i * 2) for i in range(n))
out("tvb/missing-weights.zip", tvb_zip({"tract_lengths.txt": tracts, "centres.txt": centres}))
out("tvb/missing-centres.zip", tvb_zip({"weights.txt": weights, "tract_lengths.txt": tracts}))
out("tvb/not-a-zip.zip", b"PK\x03\x04 this is not really a zip archive\n")
out("tvb/bad-numbers.zip", tvb_zip({"weights.txt": weights.replace("1", "abc", 1), "tract_lengths.txt": tracts, "centres.txt": centres}))
out("tvb/ragged.zip", tvb_zip({"weights.txt": "0 1\n1\n", "tract_lengths.txt": tracts, "centres.txt": centres}))
out("tvb/huge-member.zip", tvb_zip({"weights.txt": "0 " * (60 * 1024 * 1024), "tract_lengths.txt": tracts, "centres.txt": centres}))

# --- training specs (constellation --training-config / --sagemaker-config) ---
out("training/invalid-yaml.yaml", b"model: cnn\nepochs: [1, 2\n  batch_size: : 3\n")
out("training/wrong-types.yaml", b"model: cnn\nepochs: many\nbatch_size: -3\nlearning_rate: fast\n")
out("training/unknown-field.yaml", b"model: cnn\nepohcs: 10\n")
out("training/empty.yaml", b"")
out("training/huge-values.yaml", b"model: cnn\nepochs: 1e30\nbatch_size: 99999999999999999999\n")
out("training/binary.yaml", bytes((i * 91 + 7) % 256 for i in range(2048)))

# --- resume summaries (infer run --resume-summary) and telemetry (infer monitor) ---
out("summary/not-json.json", b"chunks: everything succeeded\n")
out("summary/no-chunks.json", b'{"manifest": "x.csv", "run_id": "r"}\n')
out("summary/truncated.json", b'{"manifest": "x.csv", "chunks": {"a": {"status": "succ')
out("telemetry/binary.jsonl", bytes((i * 53 + 3) % 256 for i in range(4096)))
out("telemetry/not-telemetry.jsonl", b'{"hello": "world"}\n[1, 2, 3]\n')

# --- sensor samples (demo --input) ---
out("samples/bad-rows.csv", b"sensor_id,time_s,value\ns1,0.0,1.5\ns1,abc,2\ns2,0.1\ns3,0.2,1e999\n,0.3,4\n")
out("samples/no-header.csv", b"s1,0.0,1.5\n")

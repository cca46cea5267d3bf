package io.beamline.io.nwb;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The NWB specifications a file caches under {@code /specifications/<namespace>/<version>/}, as
 * pynwb and matnwb do: one JSON string per schema source (named without {@code .yaml}) and one for
 * the namespace ({@code {"namespaces": [...]}}). Readers (pynwb, hdmf's validator) load the
 * namespaces from there, so a file can be read and validated without the library that wrote it.
 *
 * <p>The texts are resources under {@code io/beamline/io/nwb/specifications/}, converted from the
 * YAML that Debian's {@code python3-pynwb} 2.8.2 package ships (NWB core 2.7.0 and hdmf-common
 * 1.8.0, BSD licensed; provenance and the conversion in that folder's README.md).
 */
final class NwbSpecs {
  private NwbSpecs() {}

  private static final String ROOT = "specifications/";

  /** One cached namespace: its name, version and texts (the namespace first), in order. */
  record Namespace(String name, String version, Map<String, String> texts) {}

  /** The namespaces every file caches: NWB core and hdmf-common, which core includes. */
  static final Namespace CORE = load("core", NwbWriter.NWB_VERSION);

  static final Namespace HDMF_COMMON = load("hdmf-common", NwbWriter.HDMF_COMMON_VERSION);

  /**
   * Reads a namespace and every schema source it names.
   *
   * @throws IllegalStateException when a resource is missing or the namespace names another version
   *     (a broken build, not bad input)
   */
  static Namespace load(String name, String version) {
    String dir = ROOT + name + "/" + version + "/";
    Map<String, String> texts = new LinkedHashMap<>();
    String namespace = resource(dir + "namespace.json");
    texts.put("namespace", namespace);
    try {
      JsonNode ns = Json.MAPPER.readTree(namespace).path("namespaces").path(0);
      if (!name.equals(ns.path("name").asText()) || !version.equals(ns.path("version").asText())) {
        throw new IllegalStateException(
            dir + "namespace.json describes " + ns.path("name") + " " + ns.path("version"));
      }
      for (JsonNode entry : ns.path("schema")) {
        if (entry.has("source")) {
          String source = entry.get("source").asText();
          texts.put(source, resource(dir + source + ".json"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + dir + "namespace.json", e);
    }
    return new Namespace(name, version, Collections.unmodifiableMap(texts));
  }

  private static String resource(String path) {
    try (InputStream in = NwbSpecs.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing NWB specification resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read NWB specification resource " + path, e);
    }
  }
}

package io.beamline.runners;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Runs a list of {@code beamline} command lines one after the other in this JVM, as the shell would
 * run them one by one, and writes each one's exit status, stdout and stderr as JSON. {@link
 * BadInputCorpusIT} starts it as a separate process with a small heap under {@code /usr/bin/time},
 * so the peak memory of the process bounds the memory of every command it ran.
 *
 * <p>Usage: {@code BadInputDriver CASES.json RESULTS.json}, where CASES.json is an array of
 * argument arrays.
 */
public final class BadInputDriver {
  private BadInputDriver() {}

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ArrayNode cases = (ArrayNode) json.readTree(Paths.get(args[0]).toFile());
    ArrayNode results = json.createArrayNode();
    for (var c : cases) {
      String[] argv = new String[c.size()];
      for (int i = 0; i < argv.length; i++) {
        argv[i] = c.get(i).asText();
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code;
      try {
        code = new Beamline(new PrintWriter(out, true), new PrintWriter(err, true)).execute(argv);
      } catch (Throwable t) {
        // An exception escaping the command line is itself a finding: record it, go on.
        t.printStackTrace(new PrintWriter(err, true));
        code = -1;
      }
      ObjectNode r = results.addObject();
      r.put("code", code);
      r.put("out", out.toString());
      r.put("err", err.toString());
    }
    Files.writeString(Paths.get(args[1]), json.writeValueAsString(results));
    System.exit(0);
  }
}

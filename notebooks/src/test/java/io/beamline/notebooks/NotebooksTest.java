package io.beamline.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The stored notebooks: the three the docs promise, saved without outputs, on the Java kernel. */
class NotebooksTest {

  static List<Path> notebooks() throws Exception {
    try (Stream<Path> s = NotebooksIT.list()) {
      return s.toList();
    }
  }

  @Test
  void storedWithoutOutputsOnTheJavaKernel() throws Exception {
    List<Path> all = notebooks();
    assertFalse(all.isEmpty());
    for (Path nb : all) {
      String text = Files.readString(nb);
      int code = count(text, "\"cell_type\": \"code\"");
      assertTrue(code > 0, nb + " has no code cell");
      assertEquals(code, count(text, "\"outputs\": []"), nb + " is stored with outputs");
      assertEquals(code, count(text, "\"execution_count\": null"), nb + " has execution counts");
      assertTrue(
          text.contains("\"name\": \"beamline-java\""), nb + " is not on the beamline-java kernel");
      assertTrue(
          text.contains("%jar ../runners/target/beamline.jar"),
          nb + " does not load the built jar");
    }
  }

  @Test
  void theThreeNotebooksOfTheExecutionModel() throws Exception {
    List<String> names = notebooks().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.stream().anyMatch(n -> n.startsWith("01-")), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.startsWith("02-")), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.startsWith("03-")), names.toString());
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}

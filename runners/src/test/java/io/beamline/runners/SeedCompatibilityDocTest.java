package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/seed-compatibility.md} stays bound to the tests: every row of its tables names at
 * least one test as {@code Class#method}, and every named test exists (a test method of that name
 * in a test class of that name somewhere in the project).
 */
class SeedCompatibilityDocTest {
  static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
  static final Pattern TEST = Pattern.compile("([A-Z][A-Za-z0-9]*(?:Test|IT))#([a-z][A-Za-z0-9]*)");

  private static Map<String, String> testSources() throws IOException {
    Map<String, String> sources = new HashMap<>();
    try (Stream<Path> s = Files.walk(ROOT)) {
      for (Path p :
          s.filter(f -> f.toString().contains("/src/test/java/"))
              .filter(f -> f.getFileName().toString().endsWith(".java"))
              .toList()) {
        String name = p.getFileName().toString().replace(".java", "");
        sources.put(name, Files.readString(p));
      }
    }
    return sources;
  }

  @Test
  void everyRowNamesTestsThatExist() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("docs/seed-compatibility.md"));
    Map<String, String> sources = testSources();
    List<String> problems = new ArrayList<>();
    int rows = 0;
    for (String line : lines) {
      if (!line.matches("\\| 00[0-4] \\|.*")) {
        continue;
      }
      rows++;
      String[] cells = line.split("\\|");
      String tests = cells[cells.length - 1];
      Matcher m = TEST.matcher(tests);
      boolean any = false;
      while (m.find()) {
        any = true;
        String source = sources.get(m.group(1));
        if (source == null) {
          problems.add("no test class " + m.group(1) + " (" + line.substring(0, 60) + ")");
        } else if (!Pattern.compile("void " + m.group(2) + "\\(").matcher(source).find()) {
          problems.add("no test " + m.group(1) + "#" + m.group(2));
        }
      }
      if (!any) {
        problems.add("a row names no test: " + line.substring(0, Math.min(100, line.length())));
      }
    }
    assertTrue(rows >= 80, "the document lists " + rows + " rows");
    assertEquals(List.of(), problems);
  }
}

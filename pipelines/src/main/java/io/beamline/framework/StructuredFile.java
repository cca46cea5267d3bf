package io.beamline.framework;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a user's YAML, TOML or JSON file (a config, a training spec, a DAQ schedule) into a tree,
 * with every problem as one {@link UserInputException} line naming the file, where in it, and the
 * fix. Duplicate keys are an error, not a silent override.
 */
public final class StructuredFile {
  private StructuredFile() {}

  /**
   * Reads {@code file} ({@code .yaml}, {@code .yml}, {@code .toml} or {@code .json}) as a mapping.
   *
   * @param what what the file is, for messages, e.g. {@code "training config"}
   * @param flag the flag the file was given with, named when it is missing
   * @param fix what to do about a syntax error, e.g. {@code "docs/training.md lists the fields"}
   */
  public static JsonNode readMapping(Path file, String what, String flag, String fix) {
    String where = what + " " + file;
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(where + " does not exist or is not a file; check " + flag);
    }
    String ext = extension(file);
    ObjectMapper mapper;
    if (ext.equals("yaml") || ext.equals("yml")) {
      mapper = new ObjectMapper(new YAMLFactory());
    } else if (ext.equals("toml")) {
      mapper = new TomlMapper();
    } else if (ext.equals("json")) {
      mapper = new ObjectMapper();
    } else {
      throw new UserInputException(
          where + ": unsupported file type '." + ext + "'; use .yaml, .yml, .toml or .json");
    }
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = mapper.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      String at =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new UserInputException(
          where
              + ": not valid "
              + (ext.equals("json") ? "JSON" : ext.equals("toml") ? "TOML" : "YAML")
              + at
              + ": "
              + oneLine(e.getOriginalMessage())
              + "; fix the file ("
              + fix
              + ")",
          e);
    } catch (IOException e) {
      throw new UserInputException(
          where
              + ": cannot read: "
              + oneLine(String.valueOf(e.getMessage()))
              + "; give a readable YAML, TOML or JSON file",
          e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new UserInputException(where + " is empty; " + fix);
    }
    if (!root.isObject()) {
      throw new UserInputException(
          where + ": must be a mapping of fields, got " + Fields.kind(root) + "; " + fix);
    }
    return root;
  }

  private static String extension(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}

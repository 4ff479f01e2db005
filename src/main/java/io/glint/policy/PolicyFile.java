package io.glint.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An operator's policy file ({@code [oslo_policy] policy_file}): a YAML or JSON mapping of rule names to check
 * strings (or oslo.policy's old list-of-lists), as oslo.policy's {@code parse_file_contents} reads it. A file
 * named {@code *.json} is read as JSON, anything else as YAML. An empty file sets nothing. A rule named twice is
 * refused (YAML would silently keep the last one).
 */
public final class PolicyFile {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private PolicyFile() {}

  /**
   * The rules of the file at {@code path}, in file order.
   *
   * @throws RuleParser.Malformed when the file cannot be read or is not a mapping of rules
   */
  public static Map<String, Object> read(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RuleParser.Malformed("Cannot read policy file " + path + ": " + e);
    }
    return parse(text, path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json"), path.toString());
  }

  /** Parses the text of a policy file; {@code source} names it in messages. */
  public static Map<String, Object> parse(String text, boolean json, String source) {
    if (text.isBlank()) {
      return Map.of();
    }
    ObjectMapper mapper = json ? JSON : YAML;
    Object parsed;
    try {
      JsonNode tree = mapper.readTree(text);
      parsed = tree == null || tree.isMissingNode() ? null : mapper.treeToValue(tree, Object.class);
    } catch (JsonProcessingException e) {
      throw new RuleParser.Malformed("Policy file " + source + " is not valid " + (json ? "JSON" : "YAML") + ": "
          + e.getOriginalMessage() + (e.getLocation() == null ? ""
              : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    }
    if (parsed == null) {
      return Map.of();
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new RuleParser.Malformed("Policy file " + source + " must map rule names to rules, not hold a "
          + parsed.getClass().getSimpleName());
    }
    Map<String, Object> rules = new LinkedHashMap<>();
    map.forEach((k, v) -> rules.put(String.valueOf(k), v));
    return rules;
  }
}

package io.beamline.framework.module;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.transforms.display.DisplayData;

/**
 * Turns a config record's components into display data: one item per component, nested records
 * flattened with dotted keys ({@code spikes.threshold}), collections and maps as their text.
 */
final class ConfigDisplay {
  private ConfigDisplay() {}

  static void addTo(DisplayData.Builder builder, Record config) {
    add(builder, "", config);
  }

  private static void add(DisplayData.Builder builder, String prefix, Record config) {
    for (RecordComponent c : config.getClass().getRecordComponents()) {
      Object value;
      try {
        c.getAccessor().setAccessible(true);
        value = c.getAccessor().invoke(config);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read config component " + c.getName(), e);
      }
      String key = prefix + c.getName();
      if (value instanceof io.beamline.framework.run.ItemConfig) {
        // The run's item-config hashes: bookkeeping of resume, not a setting of the module.
        continue;
      }
      if (value instanceof Record nested) {
        add(builder, key + ".", nested);
      } else if (value != null) {
        builder.add(DisplayData.item(key, text(value)));
      }
    }
  }

  private static String text(Object value) {
    if (value instanceof Collection<?> list) {
      return list.stream().map(ConfigDisplay::text).collect(Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(e -> e.getKey() + "=" + text(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    if (value instanceof double[] d) {
      return java.util.Arrays.toString(d);
    }
    if (value instanceof float[] f) {
      return java.util.Arrays.toString(f);
    }
    if (value instanceof int[] i) {
      return java.util.Arrays.toString(i);
    }
    if (value instanceof long[] l) {
      return java.util.Arrays.toString(l);
    }
    return String.valueOf(value);
  }
}

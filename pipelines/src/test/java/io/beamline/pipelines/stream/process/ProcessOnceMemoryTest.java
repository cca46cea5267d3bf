package io.beamline.pipelines.stream.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.ValueState;
import org.junit.jupiter.api.Test;

/** What a {@code process-stfs} shard remembers of the STFs it answered, over a long run. */
class ProcessOnceMemoryTest {
  private static final long MIN = 60_000;

  @Test
  void aShardForgetsWhatItAnsweredAnHourAgoAndKeepsTheRest() {
    InMemoryStateInternals<Integer> state = InMemoryStateInternals.forKey(0);
    MapState<String, Long> answered =
        state.state(
            StateNamespaces.global(),
            StateTags.map("answered", StringUtf8Coder.of(), VarLongCoder.of()));
    ValueState<Long> pruned =
        state.state(StateNamespaces.global(), StateTags.value("pruned", VarLongCoder.of()));
    long t0 = 1_000_000_000L;
    ProcessStfsModule.ProcessOnceFn.prune(answered, pruned, t0); // first call: starts the clock
    for (int m = 0; m <= 70; m++) {
      answered.put("stf-" + m, t0 + m * MIN);
    }
    // Within the prune interval nothing is looked at.
    ProcessStfsModule.ProcessOnceFn.prune(answered, pruned, t0 + 9 * MIN);
    assertEquals(71, names(answered).size());
    // At 70 min: everything answered before 10 min is forgotten, the last hour kept.
    ProcessStfsModule.ProcessOnceFn.prune(answered, pruned, t0 + 70 * MIN);
    Map<String, Long> left = names(answered);
    assertEquals(61, left.size(), left.keySet().toString());
    assertEquals(t0 + 10 * MIN, left.values().stream().min(Long::compare).orElseThrow());
    // The next prune waits for its interval again.
    ProcessStfsModule.ProcessOnceFn.prune(answered, pruned, t0 + 75 * MIN);
    assertEquals(61, names(answered).size());
  }

  private static Map<String, Long> names(MapState<String, Long> answered) {
    Map<String, Long> m = new TreeMap<>();
    answered.entries().read().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }
}

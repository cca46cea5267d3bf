package io.beamline.framework.module;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class SpreadTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void everyItemArrivesOnceWithItsCoder() {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      // Indices collide (mod 7): items with one index are all kept, none merged.
      items.add("item-" + i);
    }
    PCollection<String> spread =
        p.apply(Create.of(items).withCoder(StringUtf8Coder.of()))
            .apply(Spread.by((String s) -> Integer.parseInt(s.substring(5)) % 7));
    assertEquals(StringUtf8Coder.of(), spread.getCoder());
    PAssert.that(spread).containsInAnyOrder(items);
    p.run().waitUntilFinish();
  }
}

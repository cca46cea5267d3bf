package io.beamline.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpellingTest {

  @Test
  void distanceCountsASwapAsOneEdit() {
    assertEquals(1, Spelling.distance("regoin", "region"));
    assertEquals(1, Spelling.distance("manifst", "manifest"));
    assertEquals(2, Spelling.distance("abc", "cab"));
    assertEquals(3, Spelling.distance("", "abc"));
  }

  @Test
  void nearestIgnoresCaseAndSeparatorsAndGivesUpWhenFar() {
    List<String> fields = List.of("batch_size", "epochs", "learning_rate");
    assertEquals("batch_size", Spelling.nearest("Batch-Size", fields));
    assertEquals("learning_rate", Spelling.nearest("learning_rat", fields));
    assertEquals("epochs", Spelling.nearest("epohcs", fields));
    assertNull(Spelling.nearest("optimizer", fields));
  }
}

package io.beamline.pipelines.infer.formats;

import java.util.List;

/**
 * One detection as the review tools show it: a span of a recording (seconds from its start) with a
 * label and the label's confidence. What the review formats ({@link AudacityLabels}, {@link
 * RavenTable}, {@link ResultsCsv}, {@link HawkEarsLabels}) write and read.
 *
 * @param recordingId the recording, as {@code infer chunk} names it
 * @param startS begin, seconds from the start of the recording, >= 0
 * @param endS end, seconds, >= startS
 * @param label the label (species, class code or call type)
 * @param confidence the label's score, in [0, 1]
 */
public record Selection(
    String recordingId, double startS, double endS, String label, double confidence) {

  /**
   * The selection of a detection row: the seed columns of {@link DetectionsTable} in order ({@code
   * recording_id, chunk_id, start_s, end_s, label, confidence, ...}).
   */
  public static Selection ofDetection(List<Object> seedValues) {
    return new Selection(
        (String) seedValues.get(0),
        ((Number) seedValues.get(2)).doubleValue(),
        ((Number) seedValues.get(3)).doubleValue(),
        (String) seedValues.get(4),
        ((Number) seedValues.get(5)).doubleValue());
  }
}

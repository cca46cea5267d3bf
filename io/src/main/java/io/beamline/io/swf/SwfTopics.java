package io.beamline.io.swf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The workflow's Kafka topics, named once, and their creation: whichever agent starts first creates
 * them (one partition each, so a run's messages keep their order; the broker's default
 * replication), and creating a topic that exists is not an error.
 */
public final class SwfTopics {
  /** Lifecycle and {@code stf_gen} messages of the DAQ simulator; key: the run id. */
  public static final String DAQ = "swf.daq";

  /** Messages of the processing agent; key: the run id. */
  public static final String PROCESSING = "swf.processing";

  /** Heartbeats of every agent; key: the agent's name. */
  public static final String HEARTBEAT = "swf.heartbeat";

  /** Malformed input of the processing agent, with the reason. */
  public static final String DEADLETTER = "swf.deadletter";

  /** Every topic of the workflow. */
  public static final List<String> ALL = List.of(DAQ, PROCESSING, HEARTBEAT, DEADLETTER);

  private SwfTopics() {}

  /** Creates {@code topics} that do not exist yet, one partition each; waits up to 60 s. */
  public static void ensure(Admin admin, Collection<String> topics) throws IOException {
    List<NewTopic> wanted = new ArrayList<>();
    for (String t : topics) {
      wanted.add(new NewTopic(t, Optional.of(1), Optional.empty()));
    }
    var result = admin.createTopics(wanted);
    for (var e : result.values().entrySet()) {
      try {
        e.getValue().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException x) {
        if (!(x.getCause() instanceof TopicExistsException)) {
          throw new IOException(
              "could not create topic " + e.getKey() + ": " + x.getCause().getMessage(),
              x.getCause());
        }
      } catch (TimeoutException x) {
        throw new IOException("creating topic " + e.getKey() + " timed out after 60 s", x);
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while creating topic " + e.getKey(), x);
      }
    }
  }
}

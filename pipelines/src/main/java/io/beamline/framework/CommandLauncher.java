package io.beamline.framework;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Runs a {@code beamline} command line (e.g. {@code ["infer", "run", "--manifest", "m.csv"]}) in
 * this process, through the same entry point as the shell: same flag parsing, run directory and
 * exit status. A tool that plans commands and then carries them out ({@code beamline infer
 * orchestrate --apply}) gets one from its options: {@code
 * options.as(CommandLauncher.Options.class).getCommandLauncher()}, set by the command line before
 * the tool runs.
 */
@FunctionalInterface
public interface CommandLauncher {

  /** Runs {@code args} (the words after {@code beamline}); returns the exit status. */
  int execute(List<String> args);

  /** Carries the launcher of the running command line to a tool; never a flag. */
  interface Options extends PipelineOptions {
    @JsonIgnore
    @Description("Runs beamline command lines in this process (set by the command line)")
    CommandLauncher getCommandLauncher();

    void setCommandLauncher(CommandLauncher value);
  }
}

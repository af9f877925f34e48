package org.coalition.gateway.tier;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

import org.coalition.gateway.shared.CoalitionConfig;

/** The tier program in force, read once at start-up: a broken file stops the start, like a broken contract. */
@ApplicationScoped
public class TierPrograms {

    private final TierProgram program;

    public TierPrograms(CoalitionConfig config) {
        this.program = TierProgramReader.read(Path.of(config.tiers().file()));
    }

    void announce(@Observes StartupEvent event) {
        Log.infof("Tier program: %s over %d months, tiers %s", program.measure(), program.windowMonths(),
                program.tiers().stream().map(TierProgram.Tier::id).toList());
    }

    public TierProgram current() {
        return program;
    }
}

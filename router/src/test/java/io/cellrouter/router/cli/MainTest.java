package io.cellrouter.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {

    private static final String LEVEL = "io.netty.leakDetection.level";

    private Level levelBefore;
    private String propertyBefore;

    @BeforeEach
    void remember() {
        levelBefore = ResourceLeakDetector.getLevel();
        propertyBefore = System.getProperty(LEVEL);
    }

    @AfterEach
    void restore() {
        ResourceLeakDetector.setLevel(levelBefore);
        if (propertyBefore == null) {
            System.clearProperty(LEVEL);
        } else {
            System.setProperty(LEVEL, propertyBefore);
        }
    }

    @Test
    void leakDetection_isOffInTheProductionProcess_unlessTheOperatorAsks() {
        System.clearProperty(LEVEL);
        ResourceLeakDetector.setLevel(Level.SIMPLE);
        Main.quietLeakDetection();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.DISABLED);

        System.setProperty(LEVEL, "paranoid");
        ResourceLeakDetector.setLevel(Level.PARANOID);
        Main.quietLeakDetection();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.PARANOID);
    }

    @Test
    void serveIsTheDefaultCommand() {
        assertThat(Main.withDefaultCommand(new String[] {"--config", "x.yaml"}))
                .containsExactly("serve", "--config", "x.yaml");
        assertThat(Main.withDefaultCommand(new String[] {"--version"})).containsExactly("--version");
    }
}

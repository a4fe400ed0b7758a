package org.iteralign.core;

import java.nio.file.Path;

/** The cache root for models and pulled datasets: {@code $ITERALIGN_HOME}, else {@code ~/.cache/iteralign}. */
public final class IteralignHome {
    public static final String ENV = "ITERALIGN_HOME";

    private IteralignHome() {}

    public static Path root() {
        return root(System.getenv(ENV), System.getProperty("user.home"));
    }

    /** @param env the value of {@code ITERALIGN_HOME} (null or blank when unset) */
    static Path root(String env, String userHome) {
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        return Path.of(userHome, ".cache", "iteralign");
    }
}

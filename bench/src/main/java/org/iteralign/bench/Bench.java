package org.iteralign.bench;

import java.nio.file.Path;

/** Entry point of {@code bench/run}: {@code Bench SUITE MODEL PYTHON LLAMACPP_SCRIPT}. */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("engine")) {
            System.err.println("usage: Bench engine MODEL.gguf PYTHON llamacpp_speed.py");
            System.exit(2);
        }
        new EngineSuite(Path.of(args[1]), Path.of(args[2]), Path.of(args[3])).run();
    }
}

package org.iteralign.bench;

import java.nio.file.Path;

/** Entry point of {@code bench/run}: {@code Bench SUITE MODEL PYTHON PEER_SCRIPT [SUITE ARGS...]}. */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            usage();
        }
        Path model = Path.of(args[1]);
        Path python = Path.of(args[2]);
        Path script = Path.of(args[3]);
        switch (args[0]) {
            case "engine" -> new EngineSuite(model, python, script).run();
            case "train" -> new TrainSuite(model, python, script, args.length > 4 ? Integer.parseInt(args[4]) : 8, 2).run();
            case "eval" -> new ScoringSuite(model, python, script, Path.of(args[4]), args.length > 5 ? Integer.parseInt(args[5]) : 0,
                    args.length > 6 ? Integer.parseInt(args[6]) : 0).run();
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: Bench engine|train|eval MODEL.gguf PYTHON PEER_SCRIPT [STEPS | DATA_DIR [LIMIT [PEER_REQUESTS]]]");
        System.exit(2);
    }
}

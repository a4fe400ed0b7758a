package org.iteralign.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it in /proc/self/status. */
final class ProcessMemory {
    private ProcessMemory() {}

    /** VmHWM: the most resident memory this process has held, in MB (mapped model pages count once). */
    static double peakResidentMb() throws IOException {
        return field("VmHWM:") / 1024.0;
    }

    private static long field(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("/proc/self/status has no " + name);
    }
}

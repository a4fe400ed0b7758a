package org.iteralign.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CoreTeamTest {
    @Test
    void runsEveryTaskOnceAndReturnsAfterTheLast() {
        for (int tasks : new int[] {0, 1, 2, 3, 64, 1000}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            CoreTeam.forEach(tasks, runs::incrementAndGet);
            for (int i = 0; i < tasks; i++) {
                assertEquals(1, runs.get(i), "task " + i + " of " + tasks);
            }
        }
    }

    @Test
    void aPassInsideATaskAndPassesFromSeveralThreadsAllComplete() throws InterruptedException {
        int outer = 8;
        int inner = 50;
        List<Thread> threads = new ArrayList<>();
        List<AtomicIntegerArray> counts = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(outer * inner);
            counts.add(runs);
            threads.add(Thread.ofPlatform().start(() -> {
                for (int round = 0; round < 20; round++) {
                    CoreTeam.forEach(outer, o -> CoreTeam.forEach(inner, i -> runs.incrementAndGet(o * inner + i)));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (AtomicIntegerArray runs : counts) {
            for (int i = 0; i < runs.length(); i++) {
                assertEquals(20, runs.get(i), "task " + i);
            }
        }
    }

    @Test
    void aFailingTaskFailsThePassAfterTheOthersRan() {
        IllegalStateException failure = new IllegalStateException("task 5");
        AtomicIntegerArray runs = new AtomicIntegerArray(10);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> CoreTeam.forEach(10, i -> {
            runs.incrementAndGet(i);
            if (i == 5) {
                throw failure;
            }
        }));
        assertSame(failure, thrown);
        for (int i = 0; i < 10; i++) {
            assertEquals(1, runs.get(i));
        }
    }
}

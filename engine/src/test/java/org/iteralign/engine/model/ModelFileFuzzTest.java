package org.iteralign.engine.model;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.safetensors.HfModelFolder;
import org.iteralign.engine.safetensors.SafetensorsDtype;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of a valid tiny GGUF file and a valid tiny safetensors checkpoint: truncations, bit
 * flips and header fields overwritten with values chosen to break arithmetic. Every one must load as a
 * model that runs, or fail with a {@link ModelFormatException}; any other exception, a JVM error or a
 * hang fails the test, naming the case's seed so it can be replayed. Positions fall in the header four
 * times out of five, since flips in tensor data only change numbers.
 */
class ModelFileFuzzTest {
    private static final int CASES = 500;
    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** Fixed so a run is reproducible; -Diteralign.fuzzSeed=N explores other cases. A failure names its case's seed. */
    private static final long SEED = Long.getLong("iteralign.fuzzSeed", 20261122L);
    private static final long[] NASTY = {0, 1, -1, 2, 3, 32, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 1L << 32, 1L << 40,
            Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] JSON_TOKENS = {"0", "-1", "1", "7", "99999999999", "9223372036854775807", "1e9",
            "\"F64\"", "\"I8\"", "[]", "{}", "null", "\"", ",", "[[[[", "}", "]", ":", "\\u0000", "\u00e9", ""};

    @TempDir
    Path dir;

    @Test
    void damagedGgufFailsCleanlyOrRuns() throws IOException {
        Path valid = TinyModelTest.write(TinyModelTest.randomSpec("qwen2", false, true, 21), dir.resolve("valid.gguf"));
        byte[] bytes = Files.readAllBytes(valid);
        int header;
        try (GgufFile f = GgufFile.open(valid)) {
            long data = f.tensors().values().stream().mapToLong(t -> t.offset() + t.data().byteSize()).max().orElse(0);
            header = (int) (bytes.length - (data + f.alignment() - 1) / f.alignment() * f.alignment());
        }
        Path damaged = dir.resolve("damaged.gguf");
        fuzz(bytes, header, rnd -> null, damaged, damaged);
    }

    @Test
    void damagedSafetensorsFailsCleanlyOrRuns() throws IOException {
        Path hf = HfCheckpointTest.writeHf(TinyModelTest.randomSpec("llama", true, false, 22), "LlamaForCausalLM",
                SafetensorsDtype.BF16, false, "", dir);
        Path file = hf.resolve(HfModelFolder.SINGLE_FILE);
        byte[] bytes = Files.readAllBytes(file);
        int headerEnd = (int) (8 + ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        String json = new String(bytes, 8, headerEnd - 8, StandardCharsets.UTF_8).stripTrailing();
        fuzz(bytes, headerEnd, rnd -> editJson(bytes, headerEnd, json, rnd), file, hf);
    }

    /**
     * Runs {@link #CASES} damaged copies of {@code valid}, each from its own seed; {@code formatSpecific}
     * may offer a fourth kind of damage (null when it has none).
     */
    private static void fuzz(byte[] valid, int header, Function<Random, Damage> formatSpecific, Path file, Path model)
            throws IOException {
        Map<String, Integer> outcomes = new TreeMap<>();
        // Each case's own seed is drawn, not SEED + i: java.util.Random's first outputs for adjacent seeds agree.
        Random seeds = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            long seed = seeds.nextLong();
            Random rnd = new Random(seed);
            Damage damage = switch (rnd.nextInt(4)) {
                case 0 -> new Damage("truncated", Arrays.copyOf(valid, position(rnd, valid.length - 1, header)));
                case 1 -> flipBits(valid, header, rnd);
                case 2 -> overwrite(valid, header, rnd);
                default -> {
                    Damage d = formatSpecific.apply(rnd);
                    yield d != null ? d : flipBits(valid, header, rnd);
                }
            };
            Files.write(file, damage.bytes());
            String outcome;
            try {
                outcome = outcome(model);
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " (seed " + seed + ", " + damage.kind() + ") threw " + t, t);
            }
            outcomes.merge(damage.kind() + ": " + outcome, 1, Integer::sum);
        }
        // The damage must reach the checks: most cases are refused, yet some still load.
        int refused = outcomes.entrySet().stream().filter(e -> e.getKey().endsWith("format error"))
                .mapToInt(Map.Entry::getValue).sum();
        assertTrue(refused > CASES / 2 && refused < CASES, outcomes.toString());
    }

    /** Loads and runs a few tokens: "format error" or "runs"; anything else propagates. */
    private static String outcome(Path model) {
        return assertTimeoutPreemptively(LIMIT, () -> {
            try (LlamaModel m = LlamaModel.load(model)) {
                int vocab = m.config().vocabularySize();
                m.forward(List.of(m.newCache()), List.of(new int[] {0, 7 % vocab, 22 % vocab}), LlamaModel.Logits.ALL);
                return "runs";
            } catch (ModelFormatException e) {
                return "format error";
            }
        }, () -> fail("no result within " + LIMIT).toString());
    }

    private record Damage(String kind, byte[] bytes) {}

    /** A byte index below {@code limit}, in the first {@code header} bytes four times out of five. */
    private static int position(Random rnd, int limit, int header) {
        return rnd.nextInt(5) < 4 ? rnd.nextInt(Math.min(limit, header)) : rnd.nextInt(limit);
    }

    private static Damage flipBits(byte[] valid, int header, Random rnd) {
        byte[] b = valid.clone();
        for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
            b[position(rnd, b.length, header)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return new Damage("bits flipped", b);
    }

    /** A 4- or 8-byte little-endian integer somewhere in the header replaced. */
    private static Damage overwrite(byte[] valid, int header, Random rnd) {
        byte[] b = valid.clone();
        int width = rnd.nextBoolean() ? 4 : 8;
        int at = rnd.nextInt(header - width);
        long value = rnd.nextBoolean() ? NASTY[rnd.nextInt(NASTY.length)] : rnd.nextLong();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 8) {
            buf.putLong(at, value);
        } else {
            buf.putInt(at, (int) value);
        }
        return new Damage("field overwritten", b);
    }

    /** One token of the safetensors JSON header replaced and the length prefix rewritten to match. */
    private static Damage editJson(byte[] valid, int headerEnd, String json, Random rnd) {
        int i = rnd.nextInt(json.length());
        int end = i + 1;
        while (Character.isLetterOrDigit(json.charAt(i)) && end < json.length() && Character.isLetterOrDigit(json.charAt(end))) {
            end++;
        }
        byte[] edited = (json.substring(0, i) + JSON_TOKENS[rnd.nextInt(JSON_TOKENS.length)] + json.substring(end))
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + edited.length + valid.length - headerEnd).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(edited.length).put(edited).put(valid, headerEnd, valid.length - headerEnd);
        return new Damage("header edited", out.array());
    }
}
